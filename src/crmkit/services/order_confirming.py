"""Confirming, approving and rejecting sales orders (the approval rule and flows)."""

from __future__ import annotations

from datetime import datetime

from crmkit.domain.approval_triggers import ORDER_CONFIRM
from crmkit.domain.ids import record_id
from crmkit.domain.order_lifecycle import label, to_status
from crmkit.domain.outbox import EventName
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.services.approval_steps import refuse_if_held
from crmkit.services.boundary import checked_calls
from crmkit.services.order_base import OrderBase, OrderOutcome
from crmkit.services.order_confirm import confirm_order
from crmkit.services.order_steps import PendingEvent, moment, order_event
from crmkit.services.ports import UnitOfWork


@checked_calls
class OrderConfirming(OrderBase):
    """Confirm, approve and reject orders."""

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
