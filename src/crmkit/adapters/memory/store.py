"""The in-memory store: committed tables shared by the units of work opened on it."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from crmkit.adapters.memory.accounts import (
    ACCOUNT,
    EXPIRING,
    AccountKey,
    EntryKey,
    PolicyKey,
    account_write_error,
)
from crmkit.adapters.memory.inventory import (
    DocumentKey,
    LevelKey,
    MovementKey,
    ReservationKey,
    document_write_error,
    level_write_error,
    movement_write_error,
    reservation_write_error,
)
from crmkit.adapters.memory.orders import CounterKey, EventKey, conflict_error
from crmkit.adapters.memory.pricing import EntryTable, write_error
from crmkit.adapters.memory.records import RecordKey, record_table
from crmkit.adapters.memory.requests import RequestKey, request_write_error
from crmkit.adapters.memory.tables import MemoryTable
from crmkit.domain import Product
from crmkit.domain.accounts import CustomerAccount, Hold, HoldStatus, JournalEntry, RebateGrant
from crmkit.domain.inventory import (
    Movement,
    Reservation,
    ReservationStatus,
    StockDocument,
    StockLevel,
    Warehouse,
)
from crmkit.domain.inventory.warehouse import WAREHOUSES
from crmkit.domain.outbox import ConsumerPosition, DocumentCounter, OutboxEvent
from crmkit.domain.price_list import PriceList
from crmkit.domain.product import PRODUCTS
from crmkit.domain.quote import Quote
from crmkit.domain.records import RecordType
from crmkit.domain.requests import ProcessedRequest
from crmkit.domain.sales_order import SalesOrder
from crmkit.services.account_ports import StoredPolicy


def _account(row: RebateGrant | Hold | JournalEntry) -> Hashable:
    return (row.tenant_id, row.account_id)


def _expiring_hold(hold: Hold) -> Hashable | None:
    """An account's pending holds that expire (what voiding expired holds reads)."""
    if hold.status is HoldStatus.PENDING and hold.expires_at is not None:
        return (hold.tenant_id, hold.account_id)
    return None


def _open_at(reservation: Reservation) -> Hashable | None:
    """The stock an open reservation holds (closed ones are in no group)."""
    r = reservation
    return (r.tenant_id, r.product_id, r.warehouse_id) if r.is_open else None


def _expiring(reservation: Reservation) -> Hashable | None:
    """A tenant's open reservations that expire (what expiring reservations reads)."""
    if reservation.status is ReservationStatus.OPEN and reservation.expires_at is not None:
        return reservation.tenant_id
    return None


class MemoryStore:
    """All committed in-memory data, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.products: MemoryTable[RecordKey, Product] = record_table(PRODUCTS)
        self.requests: MemoryTable[RequestKey, ProcessedRequest] = MemoryTable(
            key=lambda r: (r.tenant_id, r.key), error=request_write_error
        )
        self.warehouses: MemoryTable[RecordKey, Warehouse] = record_table(WAREHOUSES)
        self.stock_levels: MemoryTable[LevelKey, StockLevel] = MemoryTable(
            key=lambda x: (x.tenant_id, x.product_id, x.warehouse_id),
            error=level_write_error,
            groups={"product": lambda x: (x.tenant_id, x.product_id)},
        )
        self.movements: MemoryTable[MovementKey, Movement] = MemoryTable(
            key=lambda m: (m.tenant_id, m.id),
            error=movement_write_error,
            unique={"request_key_line": lambda m: (m.tenant_id, m.request_key, m.line)},
            groups={"product": lambda m: (m.tenant_id, m.product_id)},
        )
        self.reservations: MemoryTable[ReservationKey, Reservation] = MemoryTable(
            key=lambda r: (r.tenant_id, r.id),
            error=reservation_write_error,
            groups={
                "order": lambda r: (r.tenant_id, r.order_id),
                "expiring": _expiring,
                "open": _open_at,
            },
        )
        self.stock_documents: MemoryTable[DocumentKey, StockDocument] = MemoryTable(
            key=lambda d: (d.tenant_id, d.KIND, d.id), error=document_write_error
        )
        self.price_lists: MemoryTable[Any, PriceList] = MemoryTable(
            key=lambda p: (p.tenant_id, p.id), error=write_error("PriceList")
        )
        self.price_entries = EntryTable()
        self.quotes: MemoryTable[Any, Quote] = MemoryTable(
            key=lambda q: (q.tenant_id, q.id), error=write_error("Quote")
        )
        self.sales_orders: MemoryTable[Any, SalesOrder] = MemoryTable(
            key=lambda o: (o.tenant_id, o.id),
            error=write_error("SalesOrder"),
            unique={"number": lambda o: (o.tenant_id, o.number or f"id:{o.id}")},
        )
        self.counters: MemoryTable[CounterKey, DocumentCounter] = MemoryTable(
            key=lambda c: (c.tenant_id, c.series), error=conflict_error("DocumentCounter")
        )
        self.outbox: MemoryTable[EventKey, OutboxEvent] = MemoryTable(
            key=lambda e: (e.tenant_id, e.position), error=conflict_error("OutboxEvent")
        )
        self.outbox_consumers: MemoryTable[CounterKey, ConsumerPosition] = MemoryTable(
            key=lambda c: (c.tenant_id, c.name), error=conflict_error("OutboxConsumer")
        )
        self.customer_accounts: MemoryTable[AccountKey, CustomerAccount] = MemoryTable(
            key=lambda a: (a.tenant_id, a.id),
            error=account_write_error("CustomerAccount"),
            unique={"customer": lambda a: (a.tenant_id, a.customer_id, a.currency)},
        )
        self.rebate_grants: MemoryTable[AccountKey, RebateGrant] = MemoryTable(
            key=lambda g: (g.tenant_id, g.id),
            error=account_write_error("RebateGrant"),
            groups={ACCOUNT: _account},
        )
        self.holds: MemoryTable[AccountKey, Hold] = MemoryTable(
            key=lambda h: (h.tenant_id, h.id),
            error=account_write_error("Hold"),
            groups={ACCOUNT: _account, EXPIRING: _expiring_hold},
        )
        self.journal: MemoryTable[EntryKey, JournalEntry] = MemoryTable(
            key=lambda e: (e.tenant_id, e.account_id, e.seq),
            error=account_write_error("JournalEntry"),
            groups={ACCOUNT: _account},
        )
        self.deduction_policies: MemoryTable[PolicyKey, StoredPolicy] = MemoryTable(
            key=lambda p: (p.tenant_id, p.scope), error=account_write_error("DeductionPolicy")
        )
        self.record_tables: dict[str, MemoryTable[RecordKey, Any]] = {
            PRODUCTS.name: self.products,
            WAREHOUSES.name: self.warehouses,
        }

    def record_table(self, record_type: RecordType[Any]) -> MemoryTable[RecordKey, Any]:
        """The table of a declared record type, made on first use."""
        with self.lock:
            table = self.record_tables.get(record_type.name)
            if table is None:
                table = self.record_tables[record_type.name] = record_table(record_type)
            return table
