"""Delivering sales orders (delivery notes) and taking goods back (return orders)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from crmkit.domain import ValidationError
from crmkit.domain.account_errors import HoldExpired
from crmkit.domain.accounts import ZERO
from crmkit.domain.ids import record_id
from crmkit.domain.inventory import WarehouseId
from crmkit.domain.order_lifecycle import deliver, line_quantities, share, take_back
from crmkit.domain.outbox import EventName
from crmkit.domain.sales_order import OrderDocument, SalesOrder, SalesOrderId
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.domain.text import clean_optional_text
from crmkit.services.account_steps import credit_back, ledger_over, post_share, save_ledger
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_steps import receive_return_lines, ship_reservations
from crmkit.services.order_base import NOTE_MAX_LENGTH, OrderBase, OrderOutcome
from crmkit.services.order_steps import (
    PendingEvent,
    content_of,
    deliveries_to_return,
    in_fund_order,
    lines_of,
    order_event,
    paying_account,
    pending_in,
    reservations_to_ship,
    take_number,
)
from crmkit.services.ports import UnitOfWork


@checked_calls
class OrderShipping(OrderBase):
    """Deliver orders and take goods back."""

    def deliver(
        self, order_id: str, quantities: Mapping[int, object], *, key: str, note: str | None = None
    ) -> OrderOutcome:
        """Ship ``quantities`` (order line number -> quantity) on a delivery note (发货单)
        from the order's reservations, and post their money share to the holds.

        Raises:
            NotFound: no such order.
            OrderTransitionNotAllowed: the order is not confirmed or partially delivered.
            ValidationError: no line, an unknown line, a quantity that is not positive.
            DeliveryExceedsOrdered: a line ships more than is left to deliver.
            ReservationExpired: a line's reservation expired.
            HoldExpired: a hold of the order expired (cancel or close the order).
            DuplicateRequest: ``key`` was used for another request.
        """
        the_id = record_id(order_id, "order id")
        note = clean_optional_text(note, "document note", max_length=NOTE_MAX_LENGTH)
        content = {"o": the_id, "q": content_of(quantities), "n": note}

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            wanted = line_quantities(order, quantities, "delivery")
            after = deliver(order, wanted, OrderDocument("delivery_note", "", ""), now)
            ledger = ledger_over(uow, paying_account(uow, order, lock=True), key, now)
            of_order = uow.holds.of_order(ledger.account.id, order.id)
            for hold in of_order:
                if hold.expires_at is not None and hold.expires_at <= now:
                    raise HoldExpired(hold.id, hold.expires_at.isoformat())
            holds = pending_in(of_order)
            left = sum((h.remaining for h in holds), ZERO)
            value = None if after.status is Status.DELIVERED else min(share(order, wanted), left)
            post_share(uow, ledger, holds, value)
            save_ledger(uow, ledger)
            shipped, opened = reservations_to_ship(uow, order, wanted, now)
            delivery = ship_reservations(
                uow, now, order.id, shipped, key=key, note=note, read=opened
            )
            number = take_number(uow, self._numbers, "delivery_note", now)
            document = OrderDocument("delivery_note", number, delivery.id)
            saved = uow.sales_orders.update(deliver(order, wanted, document, now))
            posted = left if value is None else value
            events.append(
                order_event(EventName.DELIVERED, saved, delivery_note=number, lines=wanted)
            )
            events.append(order_event(EventName.FUNDS_POSTED, saved, amount=posted))
            if saved.status is Status.DELIVERED:
                events.append(order_event(EventName.DELIVERED, saved, complete=True))
            return saved

        return self._command(key, "order.deliver", content, work)

    def return_goods(
        self,
        order_id: str,
        quantities: Mapping[int, object],
        *,
        warehouse_id: str,
        sellable: bool,
        key: str,
        note: str | None = None,
    ) -> OrderOutcome:
        """Take back ``quantities`` (order line number -> quantity) on return orders (退货单)
        into ``warehouse_id`` (sellable or quarantined) and credit their money share back
        to the funds it was taken from, in the proportion it was taken.

        Raises:
            NotFound: no such order or warehouse.
            OrderTransitionNotAllowed: nothing was delivered on the order.
            ValidationError: no line, an unknown line, a quantity that is not positive.
            ReturnExceedsDelivered: a line returns more than was delivered and not returned.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_id = record_id(order_id, "order id")
        warehouse = WarehouseId(record_id(warehouse_id, "warehouse id"))
        if not isinstance(sellable, bool):
            raise ValidationError("sellable must be True or False.")
        note = clean_optional_text(note, "document note", max_length=NOTE_MAX_LENGTH)
        content = {"o": the_id, "q": content_of(quantities), "w": warehouse, "s": sellable}
        content["n"] = note

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            wanted = line_quantities(order, quantities, "return")
            take_back(order, wanted, OrderDocument("return_order", "", ""), now)
            ledger = ledger_over(uow, paying_account(uow, order, lock=True), key, now)
            holds = uow.holds.of_order(ledger.account.id, order.id)
            kept = sum((h.posted - h.refunded for h in holds), ZERO)
            credit = min(share(order, wanted), kept)
            if credit > 0:
                credit_back(uow, ledger, in_fund_order(holds), credit)
            save_ledger(uow, ledger)
            offset = 1
            for delivery, lines in deliveries_to_return(uow, order, wanted):
                back = receive_return_lines(
                    uow,
                    now,
                    delivery.id,
                    lines,
                    warehouse_id=warehouse,
                    sellable=sellable,
                    key=key,
                    note=note,
                    first_line=offset,
                )
                offset += len(lines)
                number = take_number(uow, self._numbers, "return_order", now)
                document = OrderDocument("return_order", number, back.id)
                order = take_back(order, dict(lines_of(delivery, lines)), document, now)
                events.append(order_event(EventName.RETURNED, order, return_order=number))
            saved = uow.sales_orders.update(order)
            events.append(order_event(EventName.CREDITED_BACK, saved, amount=credit))
            return saved

        return self._command(key, "order.return", content, work)
