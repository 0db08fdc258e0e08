"""销售订单 Sales orders: the lifecycle from draft to closed, document numbers and the outbox.

See docs/orders.md. ``TenantServices.orders`` is the :class:`OrderService` of a tenant and
``TenantServices.outbox`` its :class:`OutboxService`.
"""

from crmkit.services.orders import (
    ApprovalRule,
    DeliveryExceedsOrdered,
    EmptyOrder,
    EventName,
    NumberPatterns,
    OrderDocument,
    OrderLineInput,
    OrderOutcome,
    OrderService,
    OrderTransitionNotAllowed,
    OutboxEvent,
    OutboxService,
    ReservationExpired,
    ReturnExceedsDelivered,
    SalesOrder,
    SalesOrderStatus,
)

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
    "ReservationExpired",
    "ReturnExceedsDelivered",
    "SalesOrder",
    "SalesOrderStatus",
]
