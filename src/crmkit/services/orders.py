"""The sales order service (销售订单): create, confirm, approve, deliver, return, cancel and
close, each one unit of work on every backend.

Every command takes an idempotency ``key``: repeating it returns the first run's events
and changes nothing; reusing it with other content raises ``DuplicateRequest``. A command
locks the customer account first, then the stock levels (ascending), then writes the
order, its document numbers and, last, its outbox events; a conflict with another writer
retries the whole unit of work. A rejected command changes nothing. See docs/orders.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import Money, ValidationError, utc_millis
from crmkit.domain.account_errors import HoldExpired, InsufficientFunds
from crmkit.domain.accounts import ZERO, Fund
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.deduction import DeductionPolicy, OrderLine, plan_deduction
from crmkit.domain.ids import ProductId, new_id, record_id
from crmkit.domain.inventory import (
    AllocationStrategy,
    DeliveryNote,
    ShortagePolicy,
    WarehouseId,
)
from crmkit.domain.order_lifecycle import (
    EmptyOrder,
    OrderTransitionNotAllowed,
    deliver,
    label,
    line_quantities,
    share,
    take_back,
    to_status,
)
from crmkit.domain.outbox import EventName, NumberPatterns, OutboxEvent, payload
from crmkit.domain.pricing import Customer, PricingPolicy
from crmkit.domain.requests import request_key
from crmkit.domain.sales_order import OrderDocument, SalesOrder, SalesOrderId, SalesOrderLine
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.services.account_steps import (
    available_funds,
    credit_back,
    hold_plan,
    open_ledger,
    policy_for,
    post_share,
    save_ledger,
    void,
    void_expired,
)
from crmkit.services.idempotency import fingerprint, remember, replay
from crmkit.services.inventory_steps import (
    receive_return_lines,
    release_reservations,
    reserve_lines,
    ship_reservations,
)
from crmkit.services.order_reads import OrderReads
from crmkit.services.order_steps import (
    PendingEvent,
    account_of,
    deliveries_to_return,
    pending_holds,
    reservations_to_ship,
    take_number,
    write_events,
)
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.pricing import price_items
from crmkit.services.retry import retrying

ORDER_ATTEMPTS = 40
ORDER_MAX_DELAY_S = 0.5


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
        self.approval = approval or ApprovalRule()
        """The approval hook: asked once per confirm (see :mod:`crmkit.domain.approval`)."""
        self._numbers = numbers or NumberPatterns()
        self._strategy = strategy
        self._deduction = default_deduction or DeductionPolicy()

    def create_order(
        self,
        customer: Customer,
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
        if not isinstance(customer, Customer):
            raise ValidationError(f"expected a Customer, got {type(customer).__name__}.")
        if not isinstance(lines, Sequence) or isinstance(lines, str) or not lines:
            raise EmptyOrder("an order needs at least one line; give OrderLineInput lines.")
        for line in lines:
            if not isinstance(line, OrderLineInput):
                raise ValidationError(f"expected OrderLineInput, got {type(line).__name__}.")
        items = [(ProductId(record_id(x.product_id, "product id")), x.quantity) for x in lines]
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
            events.append(_event(EventName.ORDER_CREATED, order, total=order.totals().gross))
            return order

        return self._command(key, "order.create", content, work)

    def confirm(
        self,
        order_id: str,
        *,
        key: str,
        hold_until: datetime | None = None,
        reserve_until: datetime | None = None,
    ) -> OrderOutcome:
        """Confirm a draft: plan the deduction, hold the funds, reserve the stock.

        If the approval rule has reasons the order stops at pending approval instead
        (nothing held or reserved). ``hold_until``/``reserve_until`` make the holds and
        reservations expire.

        Raises:
            NotFound: no such order, product or customer account.
            OrderTransitionNotAllowed: the order is not a draft.
            EmptyOrder: the order has no lines.
            ValidationError: a product is inactive.
            InsufficientFunds: the account cannot pay the order.
            InsufficientStock: a line cannot be reserved in full.
            DuplicateRequest: ``key`` was used for another request.
        """
        return self._confirm(order_id, key, hold_until, reserve_until, approving=False)

    def approve(
        self,
        order_id: str,
        *,
        key: str,
        hold_until: datetime | None = None,
        reserve_until: datetime | None = None,
    ) -> OrderOutcome:
        """Approve an order pending approval and confirm it (as :meth:`confirm`).

        Raises:
            OrderTransitionNotAllowed: the order is not pending approval.
            NotFound, EmptyOrder, ValidationError, InsufficientFunds, InsufficientStock,
                DuplicateRequest: as :meth:`confirm`.
        """
        return self._confirm(order_id, key, hold_until, reserve_until, approving=True)

    def reject(self, order_id: str, reason: str, *, key: str) -> OrderOutcome:
        """Send an order pending approval back to draft.

        Raises:
            NotFound: no such order.
            OrderTransitionNotAllowed: the order is not pending approval.
            ValidationError: no reason given.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_id = record_id(order_id, "order id")
        why = record_id(reason, "rejection reason")

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = to_status(
                uow.sales_orders.get(SalesOrderId(the_id)), Status.DRAFT, "reject", now
            )
            order = uow.sales_orders.update(order)
            events.append(_event(EventName.APPROVAL_REJECTED, order, reason=why))
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
        content = {"o": the_id, "q": _content(quantities), "n": note}

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            wanted = line_quantities(order, quantities, "delivery")
            after = deliver(order, wanted, OrderDocument("delivery_note", "", ""), now)
            ledger = open_ledger(uow, account_of(uow, order), key, now)
            for hold in uow.holds.of_order(ledger.account.id, order.id):
                if hold.expires_at is not None and hold.expires_at <= now:
                    raise HoldExpired(hold.id, hold.expires_at.isoformat())
            holds = pending_holds(uow, ledger.account.id, order)
            left = sum((h.remaining for h in holds), ZERO)
            value = None if after.status is Status.DELIVERED else min(share(order, wanted), left)
            post_share(uow, ledger, holds, value)
            save_ledger(uow, ledger)
            shipped = reservations_to_ship(uow, order, wanted, now)
            delivery = ship_reservations(uow, now, order.id, shipped, key=key, note=note)
            number = take_number(uow, self._numbers, "delivery_note", now)
            document = OrderDocument("delivery_note", number, delivery.id)
            saved = uow.sales_orders.update(deliver(order, wanted, document, now))
            posted = left if value is None else value
            events.append(_event(EventName.DELIVERED, saved, delivery_note=number, lines=wanted))
            events.append(_event(EventName.FUNDS_POSTED, saved, amount=posted))
            if saved.status is Status.DELIVERED:
                events.append(_event(EventName.DELIVERED, saved, complete=True))
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
        content = {"o": the_id, "q": _content(quantities), "w": warehouse, "s": sellable}
        content["n"] = note

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            wanted = line_quantities(order, quantities, "return")
            take_back(order, wanted, OrderDocument("return_order", "", ""), now)
            ledger = open_ledger(uow, account_of(uow, order), key, now)
            holds = uow.holds.of_order(ledger.account.id, order.id)
            kept = sum((h.posted - h.refunded for h in holds), ZERO)
            credit = min(share(order, wanted), kept)
            if credit > 0:
                credit_back(uow, ledger, sorted(holds, key=lambda h: h.id), credit)
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
                order = take_back(order, dict(_lines_of(delivery, lines)), document, now)
                events.append(_event(EventName.RETURNED, order, return_order=number))
            saved = uow.sales_orders.update(order)
            events.append(_event(EventName.CREDITED_BACK, saved, amount=credit))
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
    ) -> OrderOutcome:
        the_id = record_id(order_id, "order id")
        holds_end = None if hold_until is None else utc_millis(hold_until)
        stock_end = None if reserve_until is None else utc_millis(reserve_until)
        content = {"o": the_id, "h": holds_end, "r": stock_end}

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            if (order.status is Status.PENDING_APPROVAL) != approving:
                raise OrderTransitionNotAllowed(order, "approve" if approving else "confirm")
            to_status(order, Status.CONFIRMED, "confirm", now)
            if not order.lines:
                raise EmptyOrder(f"order {label(order)} has no lines; it cannot be confirmed.")
            products = uow.products.get_many([line.product_id for line in order.lines])
            for line in order.lines:
                product = products.get(line.product_id)
                if product is None or not product.active:
                    raise ValidationError(
                        f"order {label(order)} line {line.line_no}: product {line.sku!r} is "
                        f"{'unknown' if product is None else 'inactive'}; cancel the order or "
                        f"reactivate the product.",
                        order=label(order),
                        sku=line.sku,
                    )
            ledger = open_ledger(uow, account_of(uow, order), key, now)
            void_expired(uow, ledger)
            account = ledger.account
            gross = [a.gross for a in order.amounts()]
            plan = plan_deduction(
                Money(sum(gross, ZERO), order.currency),
                [
                    OrderLine(
                        line.product_id,
                        products[line.product_id].category,
                        Money(g, order.currency),
                    )
                    for line, g in zip(order.lines, gross, strict=True)
                ],
                available_funds(account, ledger.grants.values()),
                policy_for(uow, account.id, self._deduction),
                ledger.now,
            )
            if plan.cash_due > 0:
                raise InsufficientFunds(
                    account.id,
                    f"order {label(order)}",
                    currency=order.currency,
                    shortfall={"cash": plan.cash_due},
                    total=plan.cash_due,
                    explanation="an order is confirmed only when the account's funds cover it.",
                )
            if not approving:
                reasons = self.approval.reasons(
                    order, plan.amount(Fund.CREDIT), account.credit_limit
                )
                if reasons:
                    pending = attrs.evolve(
                        to_status(order, Status.PENDING_APPROVAL, "confirm", now),
                        approval_reasons=tuple(reasons),
                    )
                    saved = uow.sales_orders.update(pending)
                    events.append(_event(EventName.APPROVAL_REQUESTED, saved, reasons=reasons))
                    return saved
            holds = hold_plan(uow, ledger, order.id, plan, holds_end)
            save_ledger(uow, ledger)
            reserved = reserve_lines(
                uow,
                now,
                order.id,
                [(str(line.line_no), line.product_id, line.quantity) for line in order.lines],
                strategy=self._strategy,
                policy=ShortagePolicy.ALL_OR_NOTHING,
                preferred_warehouse=None,
                expiry=stock_end,
            )
            confirmed = attrs.evolve(
                to_status(order, Status.CONFIRMED, "confirm", now), approved=approving
            )
            saved = uow.sales_orders.update(confirmed)
            events.append(
                _event(
                    EventName.FUNDS_HELD,
                    saved,
                    holds=[
                        {"fund": h.fund.value, "amount": h.amount, "hold_id": h.id} for h in holds
                    ],
                    explanation=list(plan.explanation),
                )
            )
            events.append(
                _event(
                    EventName.STOCK_RESERVED,
                    saved,
                    reservations=[
                        {
                            "line_no": int(r.line_id),
                            "sku": products[r.product_id].sku,
                            "warehouse_id": r.warehouse_id,
                            "quantity": r.quantity,
                        }
                        for r in reserved.reservations
                    ],
                )
            )
            events.append(_event(EventName.CONFIRMED, saved, total=sum(gross, ZERO)))
            return saved

        operation = "order.approve" if approving else "order.confirm"
        return self._command(key, operation, content, work)

    def _end(self, order_id: str, key: str, status: Status, action: str, name: str) -> OrderOutcome:
        the_id = record_id(order_id, "order id")

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            order = uow.sales_orders.get(SalesOrderId(the_id))
            ended = to_status(order, status, action, now)
            account = uow.customer_accounts.find(order.account_id, order.currency)
            voided = ZERO
            if account is not None:
                ledger = open_ledger(uow, account.id, key, now)
                for hold in pending_holds(uow, account.id, order):
                    voided += hold.remaining
                    void(uow, ledger, hold)
                save_ledger(uow, ledger)
            opened = uow.reservations.for_order(order.id, open_only=True)
            held = {r.id: r.remaining for r in opened}
            released = release_reservations(uow, opened, now, expired=False) if opened else []
            saved = uow.sales_orders.update(ended)
            events.append(
                _event(
                    EventName.RELEASED,
                    saved,
                    funds_voided=voided,
                    stock_released=[
                        {"line_no": int(r.line_id), "quantity": held[r.id]} for r in released
                    ],
                )
            )
            events.append(_event(name, saved))
            return saved

        return self._command(key, f"order.{action}", {"o": the_id}, work)

    def _command(
        self, key: str, operation: str, content: Mapping[str, object], work: Work
    ) -> OrderOutcome:
        the_key = request_key(key)
        digest = fingerprint(operation, content)

        def attempt() -> OrderOutcome:
            with self._uow() as uow:
                done = replay(uow, the_key, operation, digest)
                if done is not None:
                    return _replayed(uow, done)
                now = utc_millis(self._clock.now())
                pending: list[PendingEvent] = []
                order = work(uow, now, pending)
                stored = write_events(uow, pending, now)
                result = {"order": order.id, "positions": [e.position for e in stored]}
                remember(uow, the_key, operation, digest, result=json.dumps(result), now=now)
                uow.commit()
                return OrderOutcome(order, stored)

        return retrying(attempt, attempts=ORDER_ATTEMPTS, max_delay=ORDER_MAX_DELAY_S)


def _event(name: str, order: SalesOrder, **fields: object) -> PendingEvent:
    base = {"order_id": order.id, "number": order.number, "status": order.status.value}
    return PendingEvent(name, order.id, payload(**base, **fields))


def _content(quantities: Mapping[int, object]) -> object:
    if not isinstance(quantities, Mapping):
        raise ValidationError("quantities must map order line numbers to quantities.")
    return sorted((repr(k), str(v)) for k, v in quantities.items())


def _lines_of(
    delivery: DeliveryNote, lines: list[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    by_no = {x.line_no: int(x.order_line_id) for x in delivery.lines}
    merged: dict[int, Decimal] = {}
    for n, q in lines:
        merged[by_no[n]] = merged.get(by_no[n], Decimal(0)) + q
    return list(merged.items())


def _replayed(uow: UnitOfWork, done: str) -> OrderOutcome:
    result = json.loads(done)
    positions = result["positions"]
    events = uow.outbox.after(positions[0] - 1, len(positions)) if positions else []
    order = uow.sales_orders.get(SalesOrderId(result["order"]))
    return OrderOutcome(order, tuple(events))
