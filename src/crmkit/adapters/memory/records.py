"""The in-memory store of declared record types: the reference the other backends match."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from typing import Any, Generic, TypeVar

from crmkit.adapters.memory.tables import TENANT, MemoryTable, TableTransaction, WriteRejected
from crmkit.domain import ConcurrencyConflict, DuplicateRecord, NotFound, TenantId
from crmkit.domain.errors import CrmkitError
from crmkit.domain.record_query import Condition, Op, QueryPlan, Scalar, Target
from crmkit.domain.records import CUSTOM_FIELD, RecordType
from crmkit.services.records import attribute, plain, sort_values

R = TypeVar("R")
RecordKey = tuple[TenantId, str]


def record_table(record_type: RecordType[Any]) -> MemoryTable[RecordKey, Any]:
    """A memory table keyed (tenant, key) with the declaration's unique keys."""

    def unique(names: tuple[str, ...]) -> Callable[[Any], Hashable]:
        return lambda r: (r.tenant_id, *(plain(attribute(r, n)) for n in names))

    return MemoryTable(
        key=lambda r: (r.tenant_id, attribute(r, record_type.key)),
        error=write_error(record_type),
        unique={"-".join(names): unique(names) for names in record_type.unique},
    )


def write_error(record_type: RecordType[Any]) -> Callable[[WriteRejected, Any], Exception]:
    """The crmkit error for a rejected write of a record of ``record_type``."""
    entity, key_name = record_type.entity, record_type.key

    def error(rejected: WriteRejected, record: Any) -> Exception:
        key = attribute(record, key_name)
        if rejected.reason == "unique" and rejected.index is not None:
            names = tuple(rejected.index.split("-"))
            value = tuple(plain(attribute(record, n)) for n in names)
            return DuplicateRecord(entity, ", ".join(names), _one(value), record.tenant_id)
        if rejected.reason == "exists":
            return DuplicateRecord(entity, key_name, key, record.tenant_id)
        if rejected.reason == "missing":
            return NotFound(entity, key_name, key, record.tenant_id)
        return ConcurrencyConflict(
            entity, key, record.tenant_id, f"its stored version is no longer {record.version - 1}"
        )

    return error


class InMemoryRecordStore(Generic[R]):
    def __init__(
        self,
        record_type: RecordType[R],
        tenant_id: TenantId,
        tx: TableTransaction[RecordKey, Any],
        rollback: Callable[[], None],
    ) -> None:
        self._type = record_type
        self._tenant = tenant_id
        self._tx = tx
        self._rollback = rollback

    def add(self, record: R) -> None:
        try:
            self._tx.insert(record)
        except Exception:
            self._rollback()
            raise

    def get(self, key: str) -> R | None:
        found: R | None = self._tx.get((self._tenant, key))
        return found

    def get_many(self, keys: Collection[str]) -> list[R]:
        return self._tx.get_many([(self._tenant, k) for k in keys])

    def update(self, record: R) -> None:
        try:
            self._tx.update(record)
        except Exception:
            self._rollback()
            raise

    def find(self, plan: QueryPlan) -> list[R]:
        rows: list[R] = [
            r
            for r in self._tx.rows_in(TENANT, self._tenant)
            if all(matches(r, c) for c in plan.conditions)
        ]
        rows.sort(key=lambda r: sort_values(r, plan))
        if plan.after is not None:
            after = plan.after
            rows = [r for r in rows if sort_values(r, plan) > after]
        return rows[: plan.limit]

    def fail(self, error: CrmkitError) -> CrmkitError:
        self._rollback()
        return error


def value_of(record: object, target: Target) -> Scalar | None:
    """The value of ``target`` in ``record`` (None when empty)."""
    if target.custom:
        custom: dict[str, Scalar] = attribute(record, CUSTOM_FIELD)
        return custom.get(target.name)
    value: Scalar | None = plain(attribute(record, target.name))
    return value


def matches(record: object, condition: Condition) -> bool:
    """Whether ``record`` satisfies ``condition`` (the reference semantics)."""
    value: Any = value_of(record, condition.target)
    op, given = condition.op, condition.values
    if op is Op.EMPTY:
        return value is None
    if value is None:
        return False
    if op is Op.NOT_EMPTY:
        return True
    if op in {Op.EQUALS, Op.IN}:
        return value in given
    if op is Op.PREFIX:
        return bool(value.startswith(given[0]))
    low, high = given
    return (low is None or value >= low) and (high is None or value <= high)


def _one(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else values
