"""The in-memory tables' groups give what a scan of the table would: a group's rows, as a
transaction sees them (committed rows overlaid with its own writes), are the rows whose
group value matches, for the tenant group every table keeps and for a table's own."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters.memory.tables import TENANT, MemoryTable, TableTransaction, WriteRejected


@attrs.frozen
class Row:
    tenant_id: str
    id: int
    shelf: str
    is_open: bool
    version: int = 1


def _open_shelf(row: Row) -> Hashable | None:
    return (row.tenant_id, row.shelf) if row.is_open else None


def _table() -> MemoryTable[tuple[str, int], Row]:
    def error(rejected: WriteRejected, row: Row) -> Exception:
        return ValueError(rejected.reason)

    return MemoryTable(key=lambda r: (r.tenant_id, r.id), error=error, groups={"open": _open_shelf})


TENANTS = ("t1", "t2")
SHELVES = ("a", "b")
writes = st.lists(
    st.tuples(st.sampled_from(TENANTS), st.integers(0, 5), st.sampled_from(SHELVES), st.booleans()),
    max_size=12,
)


def _write(
    tx: TableTransaction[tuple[str, int], Row], changes: list[tuple[str, int, str, bool]]
) -> None:
    for tenant, number, shelf, is_open in changes:
        current = tx.get((tenant, number))
        if current is None:
            tx.insert(Row(tenant, number, shelf, is_open))
        else:
            tx.update(Row(tenant, number, shelf, is_open, current.version + 1))


def _scan(tx: TableTransaction[tuple[str, int], Row], group: str, value: Hashable) -> list[Row]:
    of = tx.table.group_of[group]
    return sorted((r for r in tx.rows() if of(r) == value), key=lambda r: r.id)


@settings(max_examples=200, deadline=None)
@given(committed=st.lists(writes, max_size=3), staged=writes)
def test_a_group_holds_what_a_scan_finds(
    committed: list[list[tuple[str, int, str, bool]]], staged: list[tuple[str, int, str, bool]]
) -> None:
    table, lock = _table(), threading.RLock()
    for changes in committed:  # units of work committed one after another
        tx = TableTransaction(table, lock)
        _write(tx, changes)
        tx.validate()
        tx.apply()
    tx = TableTransaction(table, lock)
    _write(tx, staged)  # not committed: the transaction's own view
    for tenant in TENANTS:
        found = sorted(tx.rows_in(TENANT, tenant), key=lambda r: r.id)
        assert found == _scan(tx, TENANT, tenant)
        for shelf in SHELVES:
            found = sorted(tx.rows_in("open", (tenant, shelf)), key=lambda r: r.id)
            assert found == _scan(tx, "open", (tenant, shelf))
