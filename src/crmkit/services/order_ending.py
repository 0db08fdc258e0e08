"""Ending sales orders: cancel (nothing delivered) and close (delivered in part or in full)."""

from __future__ import annotations

from datetime import datetime

from crmkit.domain.accounts import ZERO
from crmkit.domain.ids import record_id
from crmkit.domain.order_lifecycle import to_status
from crmkit.domain.outbox import EventName
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.services.account_steps import ledger_over, save_ledger, void
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_steps import release_reservations
from crmkit.services.order_base import OrderBase, OrderOutcome
from crmkit.services.order_steps import PendingEvent, order_event, pending_holds
from crmkit.services.ports import UnitOfWork


@checked_calls
class OrderEnding(OrderBase):
    """Cancel and close orders."""

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
