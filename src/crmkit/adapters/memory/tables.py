"""Versioned in-memory tables with unique indexes, and transactions over them.

A :class:`MemoryTable` holds committed rows (immutable domain objects with a ``version``).
A :class:`TableTransaction` stages inserts and updates on top of it: reads see committed
rows overlaid with the transaction's own writes (read committed, like the SQL backends),
writes are checked when made and checked again, under the store's lock, at commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from operator import attrgetter
from typing import Generic, Protocol, TypeVar

from crmkit.domain import TenantId, WrongTenant
from crmkit.domain.versioning import next_version


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Versioned)


class WriteRejected(Exception):
    """A staged write broke a rule at check time; ``reason`` says which."""

    def __init__(self, reason: str, key: Hashable, index: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.key = key
        self.index = index


TENANT = "tenant"
"""The group every table keeps: a tenant's rows (a tenant's query reads no other's)."""


class MemoryTable(Generic[K, R]):
    """Committed rows by key, with unique indexes given as functions of a row, and groups:
    functions of a row giving the value it is found by (``None``: in no group), so that a
    query of one group's rows reads those, not the whole table. Every table groups its
    rows by tenant (:data:`TENANT`).

    ``error`` turns a rejected write of a row into the crmkit error the repository raises.
    """

    def __init__(
        self,
        key: Callable[[R], K],
        error: Callable[[WriteRejected, R], Exception],
        unique: dict[str, Callable[[R], Hashable]] | None = None,
        groups: dict[str, Callable[[R], Hashable | None]] | None = None,
    ) -> None:
        self.key = key
        self.error = error
        self.unique = unique or {}
        tenant: Callable[[R], Hashable | None] = attrgetter("tenant_id")
        self.group_of = {TENANT: tenant, **(groups or {})}
        self.rows: dict[K, R] = {}
        self.indexes: dict[str, dict[Hashable, K]] = {name: {} for name in self.unique}
        # group name -> value -> the keys of the committed rows in it (a dict keeps order)
        self.members: dict[str, dict[Hashable, dict[K, None]]] = {n: {} for n in self.group_of}

    def owner_of(self, index: str, value: Hashable) -> K | None:
        return self.indexes[index].get(value)

    def put(self, row: R) -> None:
        self.put_rows({self.key(row): row})

    def put_rows(self, staged: dict[K, R]) -> None:
        """:meth:`put` each row of ``staged``, rows by their keys as a transaction keeps
        them (the keys are not worked out again). Only for a table whose class keeps
        :meth:`put` as it is: a subclass keeping more per row gets each row by its put."""
        rows, unique, indexes, members = self.rows, self.unique, self.indexes, self.members
        groups = self.group_of.items()
        for key, row in staged.items():
            old = rows.get(key)
            for name, of in unique.items():
                if old is not None:
                    del indexes[name][of(old)]
                indexes[name][of(row)] = key
            for name, among in groups:
                now = among(row)
                if old is not None:
                    was = among(old)
                    if was == now:
                        continue
                    if was is not None:
                        held = members[name][was]
                        del held[key]
                        if not held:
                            del members[name][was]
                if now is not None:
                    members[name].setdefault(now, {})[key] = None
            rows[key] = row


class TableTransaction(Generic[K, R]):
    """The writes one unit of work made to one table, not yet committed."""

    __slots__ = ("expected", "lock", "staged", "staged_values", "table")

    def __init__(self, table: MemoryTable[K, R], lock: threading.RLock) -> None:
        self.table = table
        self.lock = lock
        self.staged: dict[K, R] = {}
        self.expected: dict[K, int | None] = {}
        # index name -> value -> keys of staged rows holding it (keeps bulk writes linear)
        self.staged_values: dict[str, dict[Hashable, set[K]]] = (
            {name: {} for name in table.unique} if table.unique else {}
        )

    def get(self, key: K) -> R | None:
        try:
            row = self.staged.get(key)
        except TypeError:
            return None  # a key holding a list or dict names no row (and cannot crash)
        if row is not None:
            return row
        with self.lock:
            return self.table.rows.get(key)

    def get_many(self, keys: list[K]) -> list[R]:
        """The rows with these keys as this transaction sees them (missing keys left out)."""
        staged, found = self.staged, []
        with self.lock:
            committed = self.table.rows
            if not staged:  # nothing written in this unit of work: the committed rows alone
                try:
                    return [row for key in keys if (row := committed.get(key)) is not None]
                except TypeError:  # an unhashable key: the loop below leaves it out
                    pass
            for key in keys:
                try:
                    row = staged[key] if key in staged else committed.get(key)
                except TypeError:  # an unhashable key names no row (as in :meth:`get`)
                    continue
                if row is not None:
                    found.append(row)
        return found

    def rows(self) -> Iterator[R]:
        """Every row as this transaction sees it (a snapshot; safe to iterate)."""
        with self.lock:
            merged = dict(self.table.rows)
        merged.update(self.staged)
        return iter(list(merged.values()))

    def rows_in(self, group: str, value: Hashable) -> list[R]:
        """The rows of the group ``group`` holding ``value``, as this transaction sees them:
        the rows :meth:`rows` gives whose group value is ``value``."""
        among = self.table.group_of[group]
        try:
            with self.lock:
                committed = self.table.rows
                found = {k: committed[k] for k in self.table.members[group].get(value, ())}
        except TypeError:
            return []  # a value holding a list or dict is no row's
        for key, row in self.staged.items():  # our writes may move rows in or out
            if among(row) == value:
                found[key] = row
            else:
                found.pop(key, None)
        return list(found.values())

    def find_unique(self, index: str, value: Hashable) -> R | None:
        if not _hashable(value):
            return None
        holders = self.staged_values[index].get(value)
        if holders:
            return self.staged[next(iter(holders))]
        with self.lock:
            key = self.table.owner_of(index, value)
            if key is None or key in self.staged:
                return None
            return self.table.rows[key]

    def insert(self, row: R) -> None:
        """Stage a new row.

        Raises:
            Exception: the table's crmkit error if the key or a unique value is taken.
        """
        table = self.table
        key = table.key(row)
        staged = self.staged
        try:
            with self.lock:
                try:  # :meth:`_current` in line (a staged or committed row is never None)
                    exists = key in staged or key in table.rows
                except TypeError:
                    exists = False  # a key holding a list or dict names no row
                if exists:
                    raise WriteRejected("exists", key)
                if table.unique:
                    self._check_unique(row, key, staged_too=True)
        except WriteRejected as rejected:
            raise table.error(rejected, row) from None
        if table.unique:
            self._stage(key, row)
        else:
            staged[key] = row
        self.expected.setdefault(key, None)

    def update(self, row: R) -> None:
        """Stage ``row`` over the current one; the current version must be ``row.version - 1``.

        Raises:
            Exception: the table's crmkit error if the row is missing, stale or takes a
                unique value.
        """
        table = self.table
        key = table.key(row)
        staged = self.staged
        try:
            with self.lock:
                try:  # :meth:`_current` in line
                    current = staged.get(key)
                    if current is None:
                        current = table.rows.get(key)
                except TypeError:
                    current = None  # a key holding a list or dict names no row
                if current is None:
                    raise WriteRejected("missing", key)
                if current.version != row.version - 1:
                    raise WriteRejected("stale", key)
                if table.unique:
                    self._check_unique(row, key, staged_too=True)
        except WriteRejected as rejected:
            raise table.error(rejected, row) from None
        if table.unique:
            self._stage(key, row)
        else:
            staged[key] = row
        self.expected.setdefault(key, current.version)

    def _current(self, key: K) -> R | None:
        """:meth:`get` for a caller holding the lock."""
        try:
            row = self.staged.get(key)
        except TypeError:
            return None  # a key holding a list or dict names no row (and cannot crash)
        return row if row is not None else self.table.rows.get(key)

    def validate(self) -> None:
        """Check the staged writes against the committed rows. Call with the lock held.

        Raises:
            Exception: the table's crmkit error for the first write that no longer fits.
        """
        unique = bool(self.table.unique)
        for key, version in self.expected.items():
            current = self.table.rows.get(key)
            try:
                if version is None and current is not None:
                    raise WriteRejected("exists", key)
                if version is not None and (current is None or current.version != version):
                    raise WriteRejected("stale", key)
                if unique:
                    self._check_unique(self.staged[key], key, staged_too=False)
            except WriteRejected as rejected:
                raise self.table.error(rejected, self.staged[key]) from None

    def apply(self) -> None:
        """Publish the staged writes. Call with the lock held, after :meth:`validate`."""
        table, staged = self.table, self.staged
        if type(table).put is MemoryTable.put:
            table.put_rows(staged)
        else:  # a table keeping more per row in its own put
            for row in staged.values():
                table.put(row)
        staged.clear()  # :meth:`clear`, in line
        self.expected.clear()
        for values in self.staged_values.values():
            values.clear()

    def clear(self) -> None:
        if not self.staged and not self.expected:
            return  # nothing was written (most tables of a unit of work)
        self.staged.clear()
        self.expected.clear()
        for values in self.staged_values.values():
            values.clear()

    def _stage(self, key: K, row: R) -> None:
        if not self.table.unique:
            self.staged[key] = row
            return
        old = self.staged.get(key)
        for name, of in self.table.unique.items():
            values = self.staged_values[name]
            if old is not None:
                values[of(old)].discard(key)
            values.setdefault(of(row), set()).add(key)
        self.staged[key] = row

    def _check_unique(self, row: R, key: K, *, staged_too: bool) -> None:
        for name, of in self.table.unique.items():
            value = of(row)
            owner = self.table.owner_of(name, value)
            if owner is not None and owner != key:
                # The committed owner may be moving away from this value in our own writes.
                mine = self.staged.get(owner)
                if mine is None or of(mine) == value:
                    raise WriteRejected("unique", key, name)
            if staged_too and self.staged_values[name].get(value, set()) - {key}:
                raise WriteRejected("unique", key, name)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class GuardedRepository:
    """A repository of one tenant whose failed write rolls the unit of work back."""

    def __init__(self, tenant_id: TenantId, rollback: Callable[[], None]) -> None:
        self._tenant = tenant_id
        self._rollback = rollback

    def _guarded(self, write: Callable[[], None]) -> None:
        try:
            write()
        except Exception:
            self._rollback()
            raise


class TenantRow(Versioned, Protocol):
    @property
    def tenant_id(self) -> str: ...


T = TypeVar("T", bound=TenantRow)


class TableRepository(GuardedRepository, Generic[K, T]):
    """A guarded repository over one table of the unit of work (``tx``)."""

    def __init__(
        self, tenant_id: TenantId, tx: TableTransaction[K, T], rollback: Callable[[], None]
    ) -> None:
        self._tenant = tenant_id  # GuardedRepository's, set here: one call per repository
        self._rollback = rollback
        self._tx = tx

    def _insert(self, record: T, entity: str, record_id: object) -> None:
        """Insert ``record``, a record of this tenant."""
        try:
            if record.tenant_id != self._tenant:
                self._same_tenant(entity, record_id, record.tenant_id)
            self._tx.insert(record)
        except Exception:
            self._rollback()
            raise

    def _update(self, record: T, entity: str, record_id: object) -> T:
        """Store the next version of ``record``, a record of this tenant, and return it."""
        saved = next_version(record)
        try:
            if record.tenant_id != self._tenant:
                self._same_tenant(entity, record_id, record.tenant_id)
            self._tx.update(saved)
        except Exception:
            self._rollback()
            raise
        return saved

    def _same_tenant(self, entity: str, record_id: object, tenant_id: str) -> None:
        """Refuse a record of another tenant than the unit of work's (:class:`WrongTenant`)."""
        if tenant_id != self._tenant:
            raise WrongTenant(entity, record_id, tenant_id, self._tenant)
