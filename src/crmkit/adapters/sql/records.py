"""The SQL store of declared record types (one for all of them)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    delete,
    exists,
    insert,
    literal,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement as Column

from crmkit.adapters.sql.converters import batched, converter
from crmkit.adapters.sql.direct import remember
from crmkit.adapters.sql.pricing import body_converter
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import select_where
from crmkit.adapters.sql.tables.records import VALUE_COLUMNS, custom_values, table_of
from crmkit.domain.errors import CrmkitError
from crmkit.domain.record_query import Condition, Op, QueryPlan, Target
from crmkit.domain.records import CUSTOM_FIELD, FieldKind, RecordType
from crmkit.services.records import attribute, duplicate_error, plain, stale_error

R = TypeVar("R")
IN_BATCH = 500

row_converter = converter.copy()
"""Scalar columns: values pass through (the column types convert them); dates too."""
row_converter.register_structure_hook(date, lambda v, _: v)

nested_converter = body_converter.copy()
"""Nested parts to JSON-ready values, as quote and order bodies are stored."""
nested_converter.register_unstructure_hook(date, lambda d: d.isoformat())
nested_converter.register_structure_hook(date, lambda v, _: date.fromisoformat(v))


def custom_to_json(values: Mapping[str, Any]) -> str:
    """Custom values as JSON that keeps each value's type (and each decimal's exponent)."""

    def encode(value: Any) -> Any:
        if isinstance(value, Decimal):
            return {"decimal": str(value)}
        if isinstance(value, date):
            return {"date": value.isoformat()}
        return value

    return json.dumps({k: encode(v) for k, v in values.items()}, ensure_ascii=False)


def custom_from_json(text: str) -> dict[str, Any]:
    """The custom values stored by :func:`custom_to_json`."""

    def decode(value: Any) -> Any:
        if isinstance(value, dict) and "decimal" in value:
            return Decimal(value["decimal"])
        if isinstance(value, dict) and "date" in value:
            return date.fromisoformat(value["date"])
        return value

    loaded: dict[str, Any] = json.loads(text)
    return {k: decode(v) for k, v in loaded.items()}


class RecordRows:
    """Conversion between records of one declared type and rows of its table."""

    def __init__(self, record_type: RecordType[Any]) -> None:
        self.record_type = record_type
        self.types = record_type.attribute_types()
        self.nested = set(record_type.nested)
        # Each column's structure hook, looked up once (what ``structure`` dispatches to).
        self._columns = tuple(
            (name, kind, row_converter.get_structure_hook(kind))
            for name, kind in self.types.items()
            if name not in self.nested and name != CUSTOM_FIELD
        )
        self._documents = tuple(
            (name, kind) for name, kind in self.types.items() if name in self.nested
        )
        self._custom = CUSTOM_FIELD in self.types

    def to_row(self, record: object) -> dict[str, Any]:
        row: dict[str, Any] = {"tenant_id": attribute(record, "tenant_id")}
        for field in self.record_type.fields:
            row[field.name] = plain(attribute(record, field.name))
        for name in self.record_type.nested:
            value = nested_converter.unstructure(attribute(record, name), self.types[name])
            row[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        if self.record_type.custom_fields:
            row[CUSTOM_FIELD] = custom_to_json(attribute(record, CUSTOM_FIELD))
        row["version"] = attribute(record, "version")
        return row

    def from_row(self, row: Mapping[Any, Any]) -> Any:
        values: dict[str, Any] = {name: hook(row[name], kind) for name, kind, hook in self._columns}
        for name, kind in self._documents:
            values[name] = nested_converter.structure(json.loads(row[name]), kind)
        if self._custom:
            values[CUSTOM_FIELD] = custom_from_json(row[CUSTOM_FIELD])
        return self.record_type.record_class(**values)


_ROWS: dict[int, tuple[RecordType[Any], RecordRows]] = {}
"""The conversions made so far, by the identity of their record type (at most 256 kept)."""


def rows_of(record_type: RecordType[Any]) -> RecordRows:
    """The conversion of ``record_type``'s rows, made once (not per unit of work)."""
    kept = _ROWS.get(id(record_type))
    if kept is not None and kept[0] is record_type:
        return kept[1]
    if len(_ROWS) >= 256:
        _ROWS.clear()
    rows = RecordRows(record_type)
    _ROWS[id(record_type)] = (record_type, rows)
    return rows


class SqlRecordStore(Generic[R]):
    def __init__(self, session: SqlSession, record_type: RecordType[R]) -> None:
        self._session = session
        self._tenant = session.tenant_id
        self._type = record_type
        self._table: Table = table_of(record_type)
        self._rows = rows_of(record_type)
        self._key: Column[Any] = self._table.c[record_type.key]

    def add(self, record: R) -> None:
        self._session.execute(
            insert(self._table).values(self._rows.to_row(record)),
            on_unique=self._duplicate(record),
        )
        self._write_custom(record, replace=False)

    def get(self, key: str) -> R | None:
        row = self._session.execute(
            select_where(self._table, ("tenant_id", self._type.key)),
            {"k_tenant_id": self._tenant, f"k_{self._type.key}": key},
        ).one_or_none()
        return None if row is None else self._load(row._mapping)

    def get_many(self, keys: Collection[str]) -> list[R]:
        found: list[R] = []
        for batch in batched(sorted(keys), IN_BATCH):
            rows = self._session.execute(
                select_where(self._table, ("tenant_id",), among=self._type.key),
                {"k_tenant_id": self._tenant, f"k_{self._type.key}": batch},
            )
            found.extend(self._load(row._mapping) for row in rows)
        return found

    def update(self, record: R) -> None:
        key, version = attribute(record, self._type.key), attribute(record, "version")
        values = self._rows.to_row(record)
        del values["tenant_id"], values[self._type.key]
        result = self._session.execute(
            update(self._table)
            .where(self._mine(), self._key == key, self._table.c.version == version - 1)
            .values(values),
            on_unique=self._duplicate(record),
        )
        if result.rowcount != 1:
            stored = self._session.execute(
                select(self._table.c.version).where(self._mine(), self._key == key)
            ).scalar_one_or_none()
            t = self._type
            error = stale_error(t.entity, key, self._tenant, stored, version - 1, key_name=t.key)
            raise self._session.fail(error)
        self._write_custom(record, replace=True)

    def find(self, plan: QueryPlan) -> list[R]:
        rows = self._session.execute(self._built(plan))
        return [self._load(row._mapping) for row in rows]

    def _built(self, plan: QueryPlan) -> Select[Any]:
        """:meth:`statement`, kept for a first page's plan (the same plan, tenant and value
        types give the same statement) so that SQLAlchemy neither rebuilds it nor its cache
        key; at most ``_PLANNED_MAX`` are kept, later ones are built per call."""
        if plan.after is not None:
            return self.statement(plan)
        types = tuple(type(value) for c in plan.conditions for value in c.values)
        key = (self._table, self._type.scope, self._tenant, plan, types)
        try:
            query = _PLANNED.get(key)
        except TypeError:  # a value that cannot be hashed
            return self.statement(plan)
        if query is None:
            query = self.statement(plan)
            if len(_PLANNED) < _PLANNED_MAX:
                _PLANNED[key] = remember(query)
        return query

    def statement(self, plan: QueryPlan) -> Select[Any]:
        """The SELECT running ``plan`` (exposed so tests can check its query plan)."""
        query = select(self._table).where(self._mine())
        query = query.where(*(self._condition(c) for c in plan.conditions))
        order: list[Column[Any]] = [self._key]
        if not plan.ordered_by_key:
            value = self._order_column(plan.order)
            if plan.order.custom:
                query = query.join(value.table, self._custom_join(plan.order, value.table))
            order = [value, self._key]
        if plan.after is not None:
            query = query.where(_after(order, plan.after))
        return query.order_by(*order).limit(plan.limit)

    def fail(self, error: CrmkitError) -> CrmkitError:
        return self._session.fail(error)

    def _load(self, row: Mapping[Any, Any]) -> R:
        loaded: R = self._rows.from_row(row)
        return loaded

    def _mine(self) -> ColumnElement[bool]:
        mine: ColumnElement[bool] = self._table.c.tenant_id == self._tenant
        return mine

    def _condition(self, condition: Condition) -> ColumnElement[bool]:
        target = condition.target
        if not target.custom:
            return _compare(self._table.c[target.name], condition)
        values = custom_values.c
        about = and_(
            values.tenant_id == self._tenant,
            values.record_type == self._type.scope,
            values.field_key == target.name,
        )
        if condition.op is Op.EMPTY:
            return not_(exists().where(about, values.record_id == self._key))
        column = values[VALUE_COLUMNS[target.kind]]
        matching = select(values.record_id).where(about, _compare(column, condition))
        return self._key.in_(matching)

    def _order_column(self, target: Target) -> Column[Any]:
        if not target.custom:
            return self._table.c[target.name]
        ordered = custom_values.alias("ordered")
        return ordered.c[VALUE_COLUMNS[target.kind]]

    def _custom_join(self, target: Target, ordered: Any) -> ColumnElement[bool]:
        return and_(
            ordered.c.tenant_id == self._tenant,
            ordered.c.record_type == self._type.scope,
            ordered.c.field_key == target.name,
            ordered.c.record_id == self._key,
        )

    def _write_custom(self, record: R, *, replace: bool) -> None:
        if not self._type.custom_fields:
            return
        key = attribute(record, self._type.key)
        if replace:
            self._session.execute(
                delete(custom_values).where(
                    custom_values.c.tenant_id == self._tenant,
                    custom_values.c.record_type == self._type.scope,
                    custom_values.c.record_id == key,
                )
            )
        rows = [
            self._custom_row(key, field_key, value)
            for field_key, value in attribute(record, CUSTOM_FIELD).items()
        ]
        if rows:
            self._session.execute(insert(custom_values), rows)

    def _custom_row(self, key: str, field_key: str, value: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "tenant_id": self._tenant,
            "record_type": self._type.scope,
            "record_id": key,
            "field_key": field_key,
        }
        row.update(dict.fromkeys(VALUE_COLUMNS.values()))
        row[VALUE_COLUMNS[_stored_kind(value)]] = value
        return row

    def _duplicate(self, record: R) -> Callable[[str], CrmkitError]:
        def error(constraint: str) -> CrmkitError:
            return duplicate_error(
                self._type, record, self._tenant, lambda names: _names_constraint(constraint, names)
            )

        return error


_PLANNED: dict[tuple[Any, ...], Select[Any]] = {}
_PLANNED_MAX = 512


def _names_constraint(constraint: str, names: tuple[str, ...]) -> bool:
    """Whether a driver's constraint name (or SQLite's column list) is the one of ``names``."""
    columns = {part.rsplit(".", 1)[-1].strip() for part in constraint.split(",")}
    return constraint.endswith("_" + "_".join(names)) or columns == {"tenant_id", *names}


def _stored_kind(value: Any) -> FieldKind:
    if isinstance(value, str):
        return FieldKind.TEXT
    if isinstance(value, Decimal):
        return FieldKind.DECIMAL
    if isinstance(value, date):
        return FieldKind.DATE
    return FieldKind.INTEGER


def _compare(column: Column[Any], condition: Condition) -> ColumnElement[bool]:
    op = condition.op
    values = [None if v is None else literal(v, column.type) for v in condition.values]
    if op is Op.EQUALS:
        return column == values[0]
    if op is Op.IN:
        return column.in_(condition.values)
    if op is Op.EMPTY:
        return column.is_(None)
    if op is Op.NOT_EMPTY:
        return column.is_not(None)
    low, high = values
    if op is Op.PREFIX:
        return and_(column >= low, column < high) if high is not None else column >= low
    bounds: list[ColumnElement[bool]] = [column.is_not(None)]
    if low is not None:
        bounds.append(column >= low)
    if high is not None:
        bounds.append(column <= high)
    return and_(*bounds)


def _after(order: list[Column[Any]], after: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows after ``after`` in the order (value, key): a keyset condition, no OFFSET."""
    bound = [literal(v, c.type) for v, c in zip(after, order, strict=True)]
    if len(order) == 1:
        first: ColumnElement[bool] = order[0] > bound[0]
        return first
    value, key = order
    later: ColumnElement[bool] = or_(value > bound[0], and_(value == bound[0], key > bound[1]))
    return later
