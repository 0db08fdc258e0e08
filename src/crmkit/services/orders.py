"""The sales order service (销售订单): create, confirm, approve, deliver, return, cancel and
close, each one unit of work on every backend.

Every command takes an idempotency ``key``: repeating it returns the first run's events
and the order as the first run returned it (kept with the request), and changes nothing;
reusing it with other content raises ``DuplicateRequest``. A command claims the outbox
counter (on MongoDB only: see ``DocumentCounterRepository.claim``), locks the customer
account, then the stock levels (ascending), then writes the order, its document numbers
and, last, its outbox events; a conflict with another writer retries the whole unit of
work. A rejected command changes nothing. See docs/orders.md.

This module is the order lifecycle's public surface: besides the service it re-exports
the names a caller needs (statuses, errors, the approval rule, number patterns, events,
the outbox service and the order listing filter's status).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import ValidationError, utc_millis
from crmkit.domain.account_errors import HoldExpired
from crmkit.domain.accounts import ZERO
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.approval_triggers import ORDER_CONFIRM
from crmkit.domain.currency import check_currency
from crmkit.domain.deduction import DeductionPolicy
from crmkit.domain.ids import ProductId, new_id, record_id
from crmkit.domain.inventory import (
    AllocationStrategy,
    WarehouseId,
)
from crmkit.domain.order_lifecycle import (
    DeliveryExceedsOrdered,
    EmptyOrder,
    OrderTransitionNotAllowed,
    ReservationExpired,
    ReturnExceedsDelivered,
    deliver,
    label,
    line_quantities,
    share,
    take_back,
    to_status,
)
from crmkit.domain.outbox import EventName, NumberPatterns, OutboxEvent
from crmkit.domain.pricing import PricingCustomer, PricingPolicy
from crmkit.domain.record_data import from_data, to_data
from crmkit.domain.requests import request_key
from crmkit.domain.sales_order import (
    OrderDocument,
    SalesOrder,
    SalesOrderId,
    SalesOrderLine,
    SalesOrderStatus,
)
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.domain.text import clean_optional_text
from crmkit.services.account_steps import (
    credit_back,
    ledger_over,
    post_share,
    save_ledger,
    void,
)
from crmkit.services.approval_steps import refuse_if_held
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import fingerprint, remember, replay
from crmkit.services.inventory_steps import (
    receive_return_lines,
    release_reservations,
    ship_reservations,
)
from crmkit.services.order_confirm import ConfirmRules, confirm_order
from crmkit.services.order_reads import OrderReads, OutboxService
from crmkit.services.order_steps import (
    PendingEvent,
    claim_outbox,
    content_of,
    deliveries_to_return,
    in_fund_order,
    lines_of,
    moment,
    order_event,
    paying_account,
    pending_holds,
    pending_in,
    reservations_to_ship,
    take_number,
    write_events,
)
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.pricing import price_items
from crmkit.services.retry import retrying

__all__ = [
    "ApprovalRule",
    "DeliveryExceedsOrdered",
    "EmptyOrder",
    "EventName",
    "NumberPatterns",
    "OrderDocument",
    "OrderLineInput",
    "OrderOutcome",
    "OrderService",
    "OrderTransitionNotAllowed",
    "OutboxEvent",
    "OutboxService",
    "PricingCustomer",
    "ReservationExpired",
    "ReturnExceedsDelivered",
    "SalesOrder",
    "SalesOrderStatus",
]

ORDER_ATTEMPTS = 100
NOTE_MAX_LENGTH = 200
"""As on delivery notes and return orders."""
ORDER_MAX_DELAY_S = 0.02


@attrs.frozen
class OrderLineInput:
    """A line of a directly created order: ``quantity`` of ``product_id``, with a discount."""

    product_id: ProductId
    quantity: Decimal | int | str
    discount_percent: Decimal | int | str = 0


@attrs.frozen
class OrderOutcome:
    """A command's result: the order as the command left it, and the events it wrote."""

    order: SalesOrder
    events: tuple[OutboxEvent, ...]


Work = Callable[[UnitOfWork, datetime, list[PendingEvent]], SalesOrder]


@checked_calls
class OrderService(OrderReads):
    """The sales orders of one tenant (see the module docstring)."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        pricing_policy: PricingPolicy | None = None,
        approval: ApprovalRule | None = None,
        numbers: NumberPatterns | None = None,
        strategy: AllocationStrategy = AllocationStrategy.PRIORITY,
        default_deduction: DeductionPolicy | None = None,
    ) -> None:
        super().__init__(unit_of_work)
        self._clock = clock
        self._pricing = pricing_policy or PricingPolicy()
        self._numbers = numbers or NumberPatterns()
        self._rules = ConfirmRules(
            approval or ApprovalRule(), default_deduction or DeductionPolicy(), strategy
        )

    @property
    def confirm_rules(self) -> ConfirmRules:
        """The rules a confirm applies (approval flows approve orders by them too)."""
        return self._rules

    @property
    def approval(self) -> ApprovalRule:
        """The approval hook: asked once per confirm (see :mod:`crmkit.domain.approval`)."""
        return self._rules.approval

    def create_order(
        self,
        customer: PricingCustomer,
        lines: Sequence[OrderLineInput],
        *,
        currency: str,
        key: str,
        discount_percent: Decimal | int | str = 0,
    ) -> OrderOutcome:
        """Create a draft order priced now through the price lists (explanations kept).

        Raises:
            EmptyOrder: no lines.
            NotFound: a product does not exist.
            ValidationError: a product is inactive, or a field breaks its rule.
            NoPriceFound: a product has no applicable price.
            DuplicateRequest: ``key`` was used for another request.
        """
        if not isinstance(customer, PricingCustomer):
            raise ValidationError(f"expected a PricingCustomer, got {type(customer).__name__}.")
        if not isinstance(customer.account_id, str) or not all(
            isinstance(g, str) for g in customer.groups
        ):
            raise ValidationError(
                "the customer's account id and groups must be text; build the PricingCustomer "
                "from the account's id and group codes.",
                what="customer",
            )
        if not isinstance(lines, Sequence) or isinstance(lines, str) or not lines:
            raise EmptyOrder("an order needs at least one line; give OrderLineInput lines.")
        for line in lines:
            if not isinstance(line, OrderLineInput):
                raise ValidationError(f"expected OrderLineInput, got {type(line).__name__}.")
        items = [(ProductId(record_id(x.product_id, "product id")), x.quantity) for x in lines]
        currency = check_currency(currency)
        content: dict[str, object] = {
            "c": customer.account_id,
            "g": sorted(customer.groups),
            "cur": currency,
            "d": str(discount_percent),
            "l": [
                (p, str(x.quantity), str(x.discount_percent))
                for (p, _), x in zip(items, lines, strict=True)
            ],
        }

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            priced = price_items(
                uow, customer, items, currency=currency, at=now, policy=self._pricing
            )
            order = SalesOrder(
                id=SalesOrderId(new_id()),
                tenant_id=uow.tenant_id,
                account_id=customer.account_id,
                currency=currency,
                status=Status.DRAFT,
                quote_id=None,
                lines=tuple(
                    SalesOrderLine(
                        line_no=n,
                        quote_line_no=0,
                        product_id=product.id,
                        sku=product.sku,
                        unit=product.unit,
                        quantity=amount,
                        tax_rate=product.tax_rate,
                        discount_percent=given.discount_percent,
                        resolution=resolution,
                    )
                    for n, ((product, amount, resolution), given) in enumerate(
                        zip(priced, lines, strict=True), 1
                    )
                ),
                discount_percent=discount_percent,
                rounding=self._pricing.rounding,
                approval_reasons=(),
                expiry_override=None,
                request_key=key,
                created_at=now,
                updated_at=now,
                number=take_number(uow, self._numbers, "sales_order", now),
            )
            uow.sales_orders.add(order)
            events.append(order_event(EventName.ORDER_CREATED, order, total=order.totals().gross))
            return order

        return self._command(key, "order.create", content, work)

    def confirm(
        self,
        order_id: str,
        *,
        key: str,
        hold_until: datetime | None = None,
        reserve_until: datetime | None = None,
        submitted_by: str | None = None,
    ) -> OrderOutcome:
        """Confirm a draft: plan the deduction, hold the funds, reserve the stock.

        If an active approval flow of the tenant matches the order (see
        :class:`crmkit.process.ApprovalService`), the order stops at pending approval and
        waits for the flow's approvers; ``submitted_by`` (a user id) is who asks, whose
        managers a flow may route to and who may not approve it. Else, if the approval
        rule has reasons, the order stops at pending approval for :meth:`approve`.
        Nothing is held or reserved while it waits. ``hold_until``/``reserve_until`` make
        the holds and reservations expire.

        Raises:
            NotFound: no such order, product or customer account.
            OrderTransitionNotAllowed: the order is not a draft.
            EmptyOrder: the order has no lines.
            ValidationError: a product is inactive.
            InsufficientFunds: the account cannot pay the order.
            InsufficientStock: a line cannot be reserved in full.
            NotFound: the submitting user does not exist.
            NoApprover: a matching flow's first step has no approver but the submitter.
            DuplicateRequest: ``key`` was used for another request.
        """
        submitter = None if submitted_by is None else record_id(submitted_by, "submitted by")
        return self._confirm(
            order_id, key, hold_until, reserve_until, approving=False, submitted_by=submitter
        )

    def approve(
        self,
        order_id: str,
        *,
        key: str,
        hold_until: datetime | None = None,
        reserve_until: datetime | None = None,
    ) -> OrderOutcome:
        """Approve an order pending approval by the approval rule and confirm it (as
        :meth:`confirm`).

        Raises:
            OrderTransitionNotAllowed: the order is not pending approval.
            ApprovalPending: an approval flow holds the order (its approvers decide).
            NotFound, EmptyOrder, ValidationError, InsufficientFunds, InsufficientStock,
                DuplicateRequest: as :meth:`confirm`.
        """
        return self._confirm(order_id, key, hold_until, reserve_until, approving=True)

    def reject(self, order_id: str, reason: str, *, key: str) -> OrderOutcome:
        """Send an order pending approval back to draft.

        Raises:
            NotFound: no such order.
            OrderTransitionNotAllowed: the order is not pending approval.
            ApprovalPending: an approval flow holds the order (its approvers decide).
            ValidationError: no reason given.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_id = record_id(order_id, "order id")
        why = record_id(reason, "rejection reason")

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            found = uow.sales_orders.get(SalesOrderId(the_id))
            refuse_if_held(uow, ORDER_CONFIRM[0], found.id, "order", label(found))
            order = to_status(found, Status.DRAFT, "reject", now)
            order = uow.sales_orders.update(order)
            events.append(order_event(EventName.APPROVAL_REJECTED, order, reason=why))
            return order

        return self._command(key, "order.reject", {"o": the_id, "r": why}, work)

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

    def cancel(self, order_id: str, *, key: str) -> OrderOutcome:
        """End an order with nothing delivered: void its holds, release its reservations.

        Raises:
            NotFound: no such order.
            OrderTransitionNotAllowed: the order was delivered from, closed or cancelled.
            DuplicateRequest: ``key`` was used for another request.
        """
        return self._end(order_id, key, Status.CANCELLED, "cancel", EventName.CANCELLED)

    def close(self, order_id: str, *, key: str) -> OrderOutcome:
        """End a (partially) delivered order, releasing what is left of holds and stock.

        Raises:
            NotFound: no such order.
            OrderTransitionNotAllowed: the order is not (partially) delivered.
            DuplicateRequest: ``key`` was used for another request.
        """
        return self._end(order_id, key, Status.CLOSED, "close", EventName.CLOSED)

    # -- machinery ----------------------------------------------------------------------

    def _confirm(
        self,
        order_id: str,
        key: str,
        hold_until: datetime | None,
        reserve_until: datetime | None,
        *,
        approving: bool,
        submitted_by: str | None = None,
    ) -> OrderOutcome:
        the_id = record_id(order_id, "order id")
        holds_end = moment(hold_until, "hold_until")
        stock_end = moment(reserve_until, "reserve_until")
        content: dict[str, object] = {"o": the_id, "h": holds_end, "r": stock_end}
        if submitted_by is not None:
            content["s"] = submitted_by

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            return confirm_order(
                uow,
                now,
                events,
                the_id,
                key,
                approving=approving,
                holds_end=holds_end,
                stock_end=stock_end,
                rules=self._rules,
                submitted_by=submitted_by,
            )

        operation = "order.approve" if approving else "order.confirm"
        return self._command(key, operation, content, work)

    def _end(self, order_id: str, key: str, status: Status, action: str, name: str) -> OrderOutcome:
        the_id = record_id(order_id, "order id")

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            ended = to_status(order, status, action, now)
            account = uow.customer_accounts.find(order.account_id, order.currency, for_update=True)
            voided = ZERO
            if account is not None:
                ledger = ledger_over(uow, account, key, now)
                for hold in pending_holds(uow, account.id, order):
                    voided += hold.remaining
                    void(uow, ledger, hold)
                save_ledger(uow, ledger)
            opened = uow.reservations.for_order(order.id, open_only=True)
            held = {r.id: r.remaining for r in opened}
            released = release_reservations(uow, opened, now, expired=False) if opened else []
            saved = uow.sales_orders.update(ended)
            events.append(
                order_event(
                    EventName.RELEASED,
                    saved,
                    funds_voided=voided,
                    stock_released=[
                        {"line_no": int(r.line_id), "quantity": held[r.id]} for r in released
                    ],
                )
            )
            events.append(order_event(name, saved))
            return saved

        return self._command(key, f"order.{action}", {"o": the_id}, work)

    def _command(
        self, key: str, operation: str, content: Mapping[str, object], work: Work
    ) -> OrderOutcome:
        the_key = request_key(key)
        digest = fingerprint(operation, content)

        def attempt() -> OrderOutcome:
            with self._uow() as uow:
                claim_outbox(uow)
                done = replay(uow, the_key, operation, digest)
                if done is not None:
                    return _replayed(uow, done)
                now = utc_millis(self._clock.now())
                pending: list[PendingEvent] = []
                order = work(uow, now, pending)
                stored = write_events(uow, pending, now)
                result = {
                    "order": order.id,
                    "positions": [e.position for e in stored],
                    "as_returned": to_data(order),
                }
                remember(uow, the_key, operation, digest, result=json.dumps(result), now=now)
                uow.commit()
                return OrderOutcome(order, stored)

        return retrying(attempt, attempts=ORDER_ATTEMPTS, max_delay=ORDER_MAX_DELAY_S)


def _replayed(uow: UnitOfWork, done: str) -> OrderOutcome:
    """The first run's outcome: its events, and the order as that run returned it (a
    result remembered before orders were kept with it gives the order as it is now)."""
    result = json.loads(done)
    positions = result["positions"]
    events = uow.outbox.after(positions[0] - 1, len(positions)) if positions else []
    if "as_returned" in result:
        order = from_data(result["as_returned"], SalesOrder)
    else:
        order = uow.sales_orders.get(SalesOrderId(result["order"]))
    return OrderOutcome(order, tuple(events))
