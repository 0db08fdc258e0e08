"""The confirm step of the order service: plan, hold, reserve and confirm in the caller's
unit of work (or stop at pending approval)."""

from __future__ import annotations

from datetime import datetime

import attrs

from crmkit.domain import Money, ValidationError
from crmkit.domain.account_errors import InsufficientFunds
from crmkit.domain.accounts import ZERO, Fund
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.approval_triggers import ORDER_CONFIRM, order_values
from crmkit.domain.deduction import DeductionPolicy, OrderLine, plan_deduction
from crmkit.domain.inventory import AllocationStrategy, ShortagePolicy
from crmkit.domain.order_lifecycle import (
    EmptyOrder,
    OrderTransitionNotAllowed,
    check_status_move,
    label,
    to_status,
)
from crmkit.domain.outbox import EventName
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.services.account_steps import (
    available_funds,
    hold_plan,
    ledger_over,
    policy_for,
    save_ledger,
    void_expired,
)
from crmkit.services.approval_steps import hold_for_approval, refuse_if_held
from crmkit.services.inventory_steps import reserve_lines
from crmkit.services.order_steps import PendingEvent, order_event, paying_account
from crmkit.services.ports import UnitOfWork


@attrs.frozen
class ConfirmRules:
    """The tenant's rules a confirm applies: approval, default deduction, allocation."""

    approval: ApprovalRule
    deduction: DeductionPolicy
    strategy: AllocationStrategy


def flow_reason(code: str) -> str:
    """The approval reason an order held by the flow ``code`` carries while it waits."""
    return f"approval flow {code}"


def confirm_order(
    uow: UnitOfWork,
    now: datetime,
    events: list[PendingEvent],
    order_id: str,
    key: str,
    *,
    approving: bool,
    holds_end: datetime | None,
    stock_end: datetime | None,
    rules: ConfirmRules,
    submitted_by: str | None = None,
    by_flow: bool = False,
) -> SalesOrder:
    """Confirm (or, ``approving``, approve) the order in ``uow``; see
    :meth:`crmkit.services.orders.OrderService.confirm`. A confirm is held by the first
    matching approval flow (submitted by ``submitted_by``), else by the approval rule;
    an order held by a flow is approved only by the flow (``by_flow``)."""
    order = uow.sales_orders.get(SalesOrderId(order_id))
    if (order.status is Status.PENDING_APPROVAL) != approving:
        raise OrderTransitionNotAllowed(order, "approve" if approving else "confirm")
    if approving and not by_flow:
        refuse_if_held(uow, ORDER_CONFIRM[0], order.id, "order", label(order))
    check_status_move(order, Status.CONFIRMED, "confirm")
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
    ledger = ledger_over(uow, paying_account(uow, order, lock=True), key, now)
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
        policy_for(uow, account.id, rules.deduction),
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
        credit = plan.amount(Fund.CREDIT)
        held = hold_for_approval(
            uow, now, record_type=ORDER_CONFIRM[0], action=ORDER_CONFIRM[1], subject_id=order.id,
            subject_label=label(order), submitted_by=submitted_by,
            values=lambda: order_values(order, credit, account.credit_limit),
        )  # fmt: skip
        if held is not None:
            reasons = [flow_reason(held.flow_code)]
        else:
            reasons = rules.approval.reasons(order, credit, account.credit_limit)
        if reasons:
            pending = to_status(
                order,
                Status.PENDING_APPROVAL,
                "confirm",
                now,
                approval_reasons=tuple(dict.fromkeys((*order.approval_reasons, *reasons))),
            )
            saved = uow.sales_orders.update(pending)
            details: dict[str, object] = {"reasons": reasons}
            if held is not None:
                details |= {"approval_id": held.id, "approvers": list(held.approvers)}
            events.append(order_event(EventName.APPROVAL_REQUESTED, saved, **details))
            return saved
    holds = hold_plan(uow, ledger, order.id, plan, holds_end)
    save_ledger(uow, ledger)
    reserved = reserve_lines(
        uow,
        now,
        order.id,
        [(str(line.line_no), line.product_id, line.quantity) for line in order.lines],
        strategy=rules.strategy,
        policy=ShortagePolicy.ALL_OR_NOTHING,
        preferred_warehouse=None,
        expiry=stock_end,
        products_known=True,
    )
    confirmed = to_status(order, Status.CONFIRMED, "confirm", now, approved=approving)
    saved = uow.sales_orders.update(confirmed)
    events.append(
        order_event(
            EventName.FUNDS_HELD,
            saved,
            holds=[{"fund": h.fund.value, "amount": str(h.amount), "hold_id": h.id} for h in holds],
            explanation=list(plan.explanation),
        )
    )
    events.append(
        order_event(
            EventName.STOCK_RESERVED,
            saved,
            reservations=[
                {
                    "line_no": int(r.line_id),
                    "sku": products[r.product_id].sku,
                    "warehouse_id": r.warehouse_id,
                    "quantity": str(r.quantity),  # as the payload's JSON writes a Decimal
                }
                for r in reserved.reservations
            ],
        )
    )
    events.append(order_event(EventName.CONFIRMED, saved, total=str(sum(gross, ZERO))))
    return saved
