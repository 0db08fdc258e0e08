"""Reads of sales orders and the outbox: by id, by number, pages, and consumers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from crmkit.domain import ValidationError, utc_millis
from crmkit.domain.ids import record_id
from crmkit.domain.outbox import ConsumerPosition, OutboxEvent, consumer_name
from crmkit.domain.quantity import normal_quantity
from crmkit.domain.sales_order import SalesOrder, SalesOrderId, SalesOrderStatus
from crmkit.services.boundary import checked_calls
from crmkit.services.pagination import Page, check_page_size, decode_cursor, encode_cursor
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.pricing_ports import OrderFilter
from crmkit.services.retry import retrying


@checked_calls
class OrderReads:
    """Order reads shared by :class:`~crmkit.services.orders.OrderService`."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._uow = unit_of_work

    def get_order(self, order_id: str) -> SalesOrder:
        """The order with this id.

        Raises:
            NotFound: no such order in this tenant.
            ValidationError: the id is not a valid id.
        """
        the_id = SalesOrderId(record_id(order_id, "order id"))
        with self._uow() as uow:
            return uow.sales_orders.get(the_id)

    def backorders(self, order_id: str) -> dict[int, Decimal]:
        """Per order line, what is still to deliver but no longer reserved (a stock count
        took it back, see ``stock.reservation_released`` events); lines without are left
        out.

        Raises:
            NotFound: no such order in this tenant.
            ValidationError: the id is not a valid id.
        """
        the_id = SalesOrderId(record_id(order_id, "order id"))
        with self._uow() as uow:
            order = uow.sales_orders.get(the_id)
            opened = uow.reservations.for_order(order.id, open_only=True)
        if order.status not in {SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIALLY_DELIVERED}:
            return {}
        short: dict[int, Decimal] = {}
        for line in order.lines:
            held = sum((r.remaining for r in opened if r.line_id == str(line.line_no)), Decimal(0))
            if line.to_deliver > held:
                short[line.line_no] = normal_quantity(line.to_deliver - held)
        return short

    def get_order_by_number(self, number: str) -> SalesOrder:
        """The order with this document number (``SO-2026-000123``).

        Raises:
            NotFound: no such order in this tenant.
            ValidationError: the number is not valid text.
        """
        the_number = record_id(number, "order number")
        with self._uow() as uow:
            return uow.sales_orders.get_by_number(the_number)

    def list_orders(
        self,
        *,
        customer: str | None = None,
        status: SalesOrderStatus | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[SalesOrder]:
        """A page of orders, oldest first, by customer, status and creation time
        ``[since, until)``; pass ``next_cursor`` back for the next page.

        Raises:
            ValidationError: a filter of the wrong type, a page size outside 1..500 or a
                cursor of another listing.
        """
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValidationError("limit must be an int.")
        check_page_size(limit)
        if status is not None and not isinstance(status, SalesOrderStatus):
            raise ValidationError("status must be a SalesOrderStatus.")
        for moment in (since, until):
            if moment is not None and not isinstance(moment, datetime):
                raise ValidationError("since and until must be datetimes.")
        order_filter = OrderFilter(
            account_id=None if customer is None else record_id(customer, "customer id"),
            status=status,
            since=None if since is None else utc_millis(since),
            until=None if until is None else utc_millis(until),
        )
        after = None
        if cursor is not None:
            if not isinstance(cursor, str):
                raise ValidationError("cursor must be text.")
            created, last_id = decode_cursor(cursor, 2)
            try:
                after = (utc_millis(datetime.fromisoformat(created)), last_id)
            except ValueError:
                raise ValidationError(
                    f"cursor {cursor!r} is not a cursor of this listing."
                ) from None
        with self._uow() as uow:
            rows = uow.sales_orders.page(order_filter, after=after, limit=limit + 1)
        items = tuple(rows[:limit])
        more = len(rows) > limit
        last = items[-1] if items else None
        next_cursor = (
            encode_cursor([last.created_at.isoformat(), last.id]) if more and last else None
        )
        return Page(items, next_cursor)


@checked_calls
class OutboxService:
    """The tenant's outbox for named consumers: read after the acknowledged position,
    acknowledge up to a position. Delivery is at least once: a consumer that crashes before
    acknowledging reads the same events again."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    def position(self, consumer: str) -> int:
        """The consumer's acknowledged position (0 if it never acknowledged)."""
        name = consumer_name(consumer)
        with self._uow() as uow:
            found = uow.outbox_consumers.get(name)
        return 0 if found is None else found.position

    def read(self, consumer: str, *, limit: int = 100) -> list[OutboxEvent]:
        """Up to ``limit`` events after the consumer's acknowledged position, in order.

        Raises:
            ValidationError: a bad consumer name or page size.
        """
        name = consumer_name(consumer)
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValidationError("limit must be an int.")
        check_page_size(limit)
        with self._uow() as uow:
            found = uow.outbox_consumers.get(name)
            return uow.outbox.after(0 if found is None else found.position, limit)

    def acknowledge(self, consumer: str, position: int) -> int:
        """Acknowledge events up to ``position`` for ``consumer``; never moves backwards.

        Returns the consumer's position afterwards. Other consumers are not affected.

        Raises:
            ValidationError: a bad consumer name, or a position that is not a
                non-negative int.
        """
        name = consumer_name(consumer)
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValidationError("position must be a non-negative int.")

        def attempt() -> int:
            with self._uow() as uow:
                now = utc_millis(self._clock.now())
                found = uow.outbox_consumers.get(name)
                if found is None:
                    uow.outbox_consumers.add(ConsumerPosition(uow.tenant_id, name, position, now))
                    uow.commit()
                    return position
                if position <= found.position:
                    return found.position
                uow.outbox_consumers.update(
                    ConsumerPosition(uow.tenant_id, name, position, now, found.version)
                )
                uow.commit()
                return position

        return retrying(attempt)
