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

from crmkit.domain.approval import ApprovalRule
from crmkit.domain.order_lifecycle import (
    DeliveryExceedsOrdered,
    EmptyOrder,
    OrderTransitionNotAllowed,
    ReservationExpired,
    ReturnExceedsDelivered,
)
from crmkit.domain.outbox import EventName, NumberPatterns, OutboxEvent
from crmkit.domain.pricing import PricingCustomer
from crmkit.domain.sales_order import OrderDocument, SalesOrder, SalesOrderStatus
from crmkit.services.boundary import checked_calls
from crmkit.services.order_base import (
    NOTE_MAX_LENGTH,
    ORDER_ATTEMPTS,
    ORDER_MAX_DELAY_S,
    OrderLineInput,
    OrderOutcome,
)
from crmkit.services.order_confirming import OrderConfirming
from crmkit.services.order_creation import OrderCreation
from crmkit.services.order_ending import OrderEnding
from crmkit.services.order_reads import OutboxService
from crmkit.services.order_shipping import OrderShipping

__all__ = [
    "NOTE_MAX_LENGTH",
    "ORDER_ATTEMPTS",
    "ORDER_MAX_DELAY_S",
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


@checked_calls
class OrderService(OrderCreation, OrderConfirming, OrderShipping, OrderEnding):
    """The sales orders of one tenant (see the module docstring).

    Each part lives in its own module (``order_creation``, ``order_confirming``,
    ``order_shipping``, ``order_ending``, reads in ``order_reads``); they share
    :class:`~crmkit.services.order_base.OrderBase`.
    """
