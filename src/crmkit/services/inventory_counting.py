"""Stock counts of the inventory service: count sheets and their booking."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import (
    ProductId,
    ValidationError,
)
from crmkit.domain.inventory import (
    BelowReserved,
    CountLine,
    MovementKind,
    Reservation,
    ReservationId,
    StockBucket,
    StockCount,
    WarehouseId,
    stock_quantity,
)
from crmkit.domain.outbox import EventName, payload
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_base import InventoryBase, document_loader
from crmkit.services.inventory_steps import (
    lock_levels,
    post_movement,
    save_levels,
)
from crmkit.services.order_steps import PendingEvent, write_events
from crmkit.services.ports import UnitOfWork


@checked_calls
class StockCounting(InventoryBase):
    """Count sheets: draft, confirm (book the differences), cancel."""

    # ----------------------------------------------------------------- stock counts

    def create_count(
        self,
        warehouse_id: WarehouseId,
        lines: Sequence[tuple[ProductId, Decimal | int | str]],
        *,
        note: str | None = None,
    ) -> StockCount:
        """A draft count sheet: the quantities counted in ``warehouse_id``.

        Raises:
            NotFound: the warehouse or a product does not exist.
            ValidationError: no lines, a product twice, a negative count.
        """
        parsed = tuple(
            CountLine(pid, stock_quantity(q, f"counted quantity of {pid!r}", allow_zero=True))
            for pid, q in lines
        )
        if not parsed:
            raise ValidationError("a count sheet needs at least one line.")
        if len({x.product_id for x in parsed}) != len(parsed):
            raise ValidationError("each product may appear once per count sheet.")
        return self._add_draft(
            warehouse_id,
            [x.product_id for x in parsed],
            lambda tenant, now: StockCount.new(tenant, warehouse_id, parsed, now, note),
        )

    def confirm_count(
        self, count_id: str, *, key: str, release_reservations: bool = False
    ) -> StockCount:
        """Confirm a count sheet: book ``counted - on hand`` per line as count movements.

        A count below what is reserved is refused, unless ``release_reservations`` is
        true: then open reservations on that stock are released, newest first, until the
        count covers the rest; they are listed in ``released_reservations``.

        Raises:
            NotFound: no such count sheet.
            InvalidStateTransition: it is not a draft.
            BelowReserved: a count is below the reserved quantity and releasing was not
                asked for.
            DuplicateRequest: ``key`` was used for another request.
        """

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, StockCount]:
            count = uow.stock_documents.get(StockCount, count_id)
            count.confirmed((), (), now)  # InvalidStateTransition before any work
            levels = lock_levels(
                uow, [(x.product_id, count.warehouse_id) for x in count.lines], now
            )
            booked: list[CountLine] = []
            released: list[tuple[ReservationId, Decimal]] = []
            events: list[PendingEvent] = []
            for n, line in enumerate(count.lines, 1):
                stock_key = (line.product_id, count.warehouse_id)
                level = levels[stock_key]
                if line.counted < level.reserved:
                    if not release_reservations:
                        raise BelowReserved(
                            line.product_id,
                            count.warehouse_id,
                            line.counted,
                            level.reserved,
                            f"stock count {count.id!r}",
                        )
                    need = level.reserved - line.counted
                    for reservation in uow.reservations.open_for_stock(*stock_key):
                        if need <= 0:
                            break  # newest first: the latest promises give way first
                        part = min(need, reservation.remaining)
                        done = reservation.release_part(part, now)
                        uow.reservations.update(done)
                        level = level.unreserve(part, now)
                        released.append((done.id, part))
                        need -= part
                        events.append(_count_released(done, part, count.id))
                difference = line.counted - level.on_hand
                if difference:
                    level = level.adjusted(difference, StockBucket.SELLABLE, now, "the count")
                    post_movement(
                        uow,
                        level=level,
                        quantity=difference,
                        bucket=StockBucket.SELLABLE,
                        kind=MovementKind.COUNT,
                        document=count,
                        key=key,
                        line=n,
                        now=now,
                    )
                levels[stock_key] = level
                booked.append(
                    attrs.evolve(
                        line, on_hand_before=line.counted - difference, difference=difference
                    )
                )
            save_levels(uow, levels)
            confirmed = uow.stock_documents.update(
                count.confirmed(tuple(booked), tuple(released), now)
            )
            write_events(uow, events, now)
            return confirmed.id, confirmed

        payload = {"count": count_id, "release": release_reservations}
        return self._keyed(
            key, "inventory.confirm_count", payload, work, document_loader(StockCount)
        )

    def cancel_count(self, count_id: str) -> StockCount:
        """Cancel a draft count sheet; nothing is booked.

        Raises:
            NotFound: no such count sheet.
            InvalidStateTransition: it is not a draft.
        """
        return self._cancel_draft(StockCount, count_id)

    def get_count(self, count_id: str) -> StockCount:
        """Raises: NotFound: no such count sheet."""
        return self._document(StockCount, count_id)


def _count_released(reservation: Reservation, quantity: Decimal, count_id: str) -> PendingEvent:
    """The event telling the reservation's order that a count took ``quantity`` back."""
    data = payload(
        order_id=reservation.order_id,
        line_id=reservation.line_id,
        reservation_id=reservation.id,
        quantity=quantity,
        stock_count_id=count_id,
        still_reserved=reservation.remaining,
    )
    return PendingEvent(EventName.RESERVATION_RELEASED, reservation.order_id, data)
