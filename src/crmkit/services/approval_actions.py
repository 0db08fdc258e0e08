"""The actions approval flows hold, and what approving or rejecting one does.

Each trigger has a :class:`HeldAction`: ``approve`` lets the held action proceed (an
order is confirmed, a refund or invoice request approved) and ``reject`` sends the record
back (an order to draft, a refund or invoice request to rejected, with the reason). Both
run in the unit of work of the last decision, so that a failing action leaves nothing
recorded, the decision included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

import attrs

from crmkit.domain.approval_triggers import INVOICE_REQUEST, ORDER_CONFIRM, REFUND_REQUEST
from crmkit.domain.approvals import ApprovalInstance
from crmkit.domain.order_lifecycle import to_status
from crmkit.domain.outbox import EventName
from crmkit.domain.receivables.invoices import (
    INVOICE_REQUESTS,
    ORDER_INVOICING,
    InvoiceRequest,
    InvoiceStatus,
)
from crmkit.domain.receivables.refunds import REFUNDS, RefundStatus
from crmkit.domain.records import RecordType
from crmkit.domain.sales_order import SalesOrderId
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.services.order_confirm import ConfirmRules, confirm_order, flow_reason
from crmkit.services.order_steps import PendingEvent, order_event
from crmkit.services.ports import UnitOfWork
from crmkit.services.receivables.invoices import save_requested

Approve = Callable[[UnitOfWork, datetime, ApprovalInstance, str, list[PendingEvent]], None]
Reject = Callable[[UnitOfWork, datetime, ApprovalInstance, str, list[PendingEvent]], None]


@attrs.frozen
class HeldAction:
    """What the last approval (``approve``: instance, request key) or a rejection
    (``reject``: instance, reason) does to the held record."""

    approve: Approve
    reject: Reject


def _order_actions(rules: ConfirmRules) -> HeldAction:
    def approve(
        uow: UnitOfWork, now: datetime, inst: ApprovalInstance, key: str, events: list[PendingEvent]
    ) -> None:
        confirm_order(uow, now, events, inst.subject_id, key, approving=True, holds_end=None,
                      stock_end=None, rules=rules, by_flow=True)  # fmt: skip

    def reject(
        uow: UnitOfWork, now: datetime, inst: ApprovalInstance, why: str, events: list[PendingEvent]
    ) -> None:
        order = uow.sales_orders.get(SalesOrderId(inst.subject_id))
        reason = flow_reason(inst.flow_code)  # the order leaves as it came, quote reasons kept
        kept = tuple(r for r in order.approval_reasons if r != reason)
        draft = attrs.evolve(to_status(order, Status.DRAFT, "reject", now), approval_reasons=kept)
        saved = uow.sales_orders.update(draft)
        events.append(
            order_event(EventName.APPROVAL_REJECTED, saved, reason=why, approval_id=inst.id)
        )

    return HeldAction(approve, reject)


def _request_actions(
    kind: RecordType[Any],
    approved: Enum,
    rejected: Enum,
    on_reject: Callable[[UnitOfWork, Any], None] | None = None,
) -> HeldAction:
    """Approving moves the request of ``kind`` to ``approved``; rejecting moves it to
    ``rejected`` with the reason (after ``on_reject`` undid what the request held)."""

    def approve(
        uow: UnitOfWork, now: datetime, inst: ApprovalInstance, key: str, events: list[PendingEvent]
    ) -> None:
        request = uow.records(kind).get(inst.subject_id)
        uow.records(kind).update(request.moved("approve", approved, now))

    def reject(
        uow: UnitOfWork, now: datetime, inst: ApprovalInstance, why: str, events: list[PendingEvent]
    ) -> None:
        request = uow.records(kind).get(inst.subject_id)
        moved = request.moved("reject", rejected, now)
        if on_reject is not None:
            on_reject(uow, request)
        uow.records(kind).update(attrs.evolve(moved, rejection_reason=why))

    return HeldAction(approve, reject)


def _release_invoicing(uow: UnitOfWork, request: InvoiceRequest) -> None:
    """A rejected invoice request no longer counts as requested on its order."""
    found = uow.records(ORDER_INVOICING).get_many([request.order_id]).get(request.order_id)
    save_requested(uow, request.order_id, found, -request.signed)


def held_actions(rules: ConfirmRules) -> dict[tuple[str, str], HeldAction]:
    """The held action of every trigger (orders are confirmed by ``rules``)."""
    return {
        ORDER_CONFIRM: _order_actions(rules),
        REFUND_REQUEST: _request_actions(REFUNDS, RefundStatus.APPROVED, RefundStatus.REJECTED),
        INVOICE_REQUEST: _request_actions(
            INVOICE_REQUESTS, InvoiceStatus.APPROVED, InvoiceStatus.REJECTED, _release_invoicing
        ),
    }
