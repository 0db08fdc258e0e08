"""The inventory service (库存): warehouses, the stock ledger, inbound orders, reservations,
delivery notes, return orders and stock counts.

Every command that changes stock takes an idempotency ``key``: repeating it returns the
first result, reusing it for other content raises ``DuplicateRequest``. Stock levels are
locked (or conditionally written) in ascending (product, warehouse) order, and a whole
command is retried, a bounded number of times, when another writer got in the way.
"""

from __future__ import annotations

from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_base import EXPIRY_BATCH, INVENTORY_ATTEMPTS
from crmkit.services.inventory_counting import StockCounting
from crmkit.services.inventory_reads import ProductAvailability, StockReads, WarehouseStock
from crmkit.services.inventory_receiving import StockReceiving
from crmkit.services.inventory_reserving import ReservationRequest, StockReserving
from crmkit.services.inventory_shipping import StockShipping
from crmkit.services.inventory_steps import Backorder, ReservationResult

__all__ = [
    "EXPIRY_BATCH",
    "INVENTORY_ATTEMPTS",
    "Backorder",
    "InventoryService",
    "ProductAvailability",
    "ReservationRequest",
    "ReservationResult",
    "WarehouseStock",
]


@checked_calls
class InventoryService(StockReceiving, StockReserving, StockShipping, StockCounting, StockReads):
    """Stock of one tenant: receive, reserve, ship, take back and count.

    Each part lives in its own module (``inventory_receiving``, ``inventory_reserving``,
    ``inventory_shipping``, ``inventory_counting``, ``inventory_reads``); they share
    :class:`~crmkit.services.inventory_base.InventoryBase`.
    """
