"""The inventory area (库存 stock, 仓库 warehouse, 入库单 inbound order, 发货单 delivery note,
退货单 return order): pure records and rules."""

from crmkit.domain.inventory.allocation import (
    Allocation,
    AllocationStrategy,
    Candidate,
    ShortagePolicy,
    allocate,
)
from crmkit.domain.inventory.documents import (
    DOCUMENT_TYPES,
    CountLine,
    DeliveryLine,
    DeliveryNote,
    DocumentStatus,
    InboundLine,
    InboundOrder,
    ReturnLine,
    ReturnOrder,
    StockCount,
    StockDocument,
)
from crmkit.domain.inventory.errors import (
    BelowReserved,
    InsufficientStock,
    NegativeStock,
    OverReturn,
    OverShipment,
)
from crmkit.domain.inventory.quantities import QUANTITY_STEP, signed_quantity, stock_quantity
from crmkit.domain.inventory.reservation import Reservation, ReservationId, ReservationStatus
from crmkit.domain.inventory.stock import (
    Movement,
    MovementId,
    MovementKind,
    StockBucket,
    StockLevel,
)
from crmkit.domain.inventory.warehouse import Warehouse, WarehouseId

__all__ = [
    "DOCUMENT_TYPES",
    "QUANTITY_STEP",
    "Allocation",
    "AllocationStrategy",
    "BelowReserved",
    "Candidate",
    "CountLine",
    "DeliveryLine",
    "DeliveryNote",
    "DocumentStatus",
    "InboundLine",
    "InboundOrder",
    "InsufficientStock",
    "Movement",
    "MovementId",
    "MovementKind",
    "NegativeStock",
    "OverReturn",
    "OverShipment",
    "Reservation",
    "ReservationId",
    "ReservationStatus",
    "ReturnLine",
    "ReturnOrder",
    "ShortagePolicy",
    "StockBucket",
    "StockCount",
    "StockDocument",
    "StockLevel",
    "Warehouse",
    "WarehouseId",
    "allocate",
    "signed_quantity",
    "stock_quantity",
]
