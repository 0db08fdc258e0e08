"""Everything a tenant has stored, read straight from the storage, to compare before/after.

The hostile-input suite proves "nothing changed" by comparing two of these snapshots. They
are read below the repositories (every in-memory table, every SQL table, every MongoDB
collection that carries a ``tenant_id``), so records of areas added later are included
without editing this module.
"""

from __future__ import annotations

from typing import Any

from crmkit.domain import TenantId
from crmkit.services import Storage
from crmkit.testing.contracts.support import canonical

State = dict[str, tuple[object, ...]]


def tenant_state(storage: Storage, tenant_id: TenantId) -> State:
    """Each table's (or collection's) rows of ``tenant_id``, in a canonical sorted form.

    Raises:
        TypeError: ``storage`` is none of crmkit's storages (override the contract's
            ``state_of`` hook for your own).
    """
    kind = type(storage).__name__
    if kind == "InMemoryStorage":
        return _memory_state(storage, tenant_id)
    if kind == "SqlStorage":
        return _sql_state(storage, tenant_id)
    if kind == "MongoStorage":
        return _mongo_state(storage, tenant_id)
    raise TypeError(f"cannot read the state of a {kind}; override state_of")


def _sorted(rows: list[object]) -> tuple[object, ...]:
    return tuple(sorted(rows, key=repr))


def _memory_state(storage: Any, tenant_id: TenantId) -> State:
    from crmkit.adapters.memory.tables import MemoryTable  # noqa: PLC0415 - only if used

    store = storage.store
    with store.lock:
        tables = {name: t for name, t in vars(store).items() if isinstance(t, MemoryTable)}
        tables |= {f"records.{name}": t for name, t in store.record_tables.items()}
        state = {
            name: _sorted(
                [canonical(row) for row in table.rows.values() if row.tenant_id == tenant_id]
            )
            for name, table in tables.items()
        }
    # a record type's table is made on first use: an empty one is no change
    return {n: rows for n, rows in state.items() if rows or not n.startswith("records.")}


def _sql_state(storage: Any, tenant_id: TenantId) -> State:
    from crmkit.adapters.sql.snapshot import tenant_rows  # noqa: PLC0415 - only if used

    return {
        name: _sorted([canonical(row) for row in rows])
        for name, rows in tenant_rows(storage.source, tenant_id).items()
    }


def _mongo_state(storage: Any, tenant_id: TenantId) -> State:
    from crmkit.adapters.mongo.snapshot import tenant_documents  # noqa: PLC0415

    return {
        name: _sorted([canonical(document) for document in documents])
        for name, documents in tenant_documents(storage.database, tenant_id).items()
    }
