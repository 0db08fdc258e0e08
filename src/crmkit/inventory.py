"""Stock (库存): warehouses (仓库), levels, reservations and stock documents."""

from crmkit.domain.inventory import (
    AllocationStrategy,
    CountLine,
    DeliveryLine,
    DeliveryNote,
    DocumentStatus,
    InboundLine,
    InboundOrder,
    Movement,
    MovementKind,
    Reservation,
    ReservationStatus,
    ReturnLine,
    ReturnOrder,
    ShortagePolicy,
    StockBucket,
    StockCount,
    StockLevel,
    Warehouse,
)
from crmkit.domain.inventory import errors as _errors
from crmkit.domain.inventory.errors import *  # noqa: F403
from crmkit.services.inventory import (
    Backorder,
    InventoryService,
    ProductAvailability,
    ReservationRequest,
    ReservationResult,
    WarehouseStock,
)

__all__ = [
    "AllocationStrategy",
    "Backorder",
    "CountLine",
    "DeliveryLine",
    "DeliveryNote",
    "DocumentStatus",
    "InboundLine",
    "InboundOrder",
    "InventoryService",
    "Movement",
    "MovementKind",
    "ProductAvailability",
    "Reservation",
    "ReservationRequest",
    "ReservationResult",
    "ReservationStatus",
    "ReturnLine",
    "ReturnOrder",
    "ShortagePolicy",
    "StockBucket",
    "StockCount",
    "StockLevel",
    "Warehouse",
    "WarehouseStock",
]
__all__ += _errors.__all__
