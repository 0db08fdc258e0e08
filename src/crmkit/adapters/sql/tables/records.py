"""Tables of declared record types, generated from their declarations, and custom values.

:func:`record_table` turns a :class:`RecordType` into a Core ``Table`` (tenant first in the
primary key, every unique key and every index); Alembic revisions create exactly these
tables and a test compares them. Custom values also live in ``crmkit_custom_value``, one
typed row per (record, field), so that a lookup by a custom value is an index range scan
on (tenant, record type, field, value) instead of a scan of the tenant's records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, TENANT, metadata
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code
from crmkit.domain import ConfigurationError
from crmkit.domain.custom_fields import CUSTOM_FIELD_DEFINITIONS
from crmkit.domain.custom_objects import CUSTOM_OBJECTS
from crmkit.domain.record_query import CUSTOM_DECIMAL, CUSTOM_TEXT_LENGTH
from crmkit.domain.records import CUSTOM_FIELD, Field, FieldKind, RecordType

_TABLES: dict[str, Table] = {}
MAX_NAME = 63


def column_type(field: Field) -> TypeEngine[Any]:
    """The column type storing ``field`` identically on SQLite, PostgreSQL and MariaDB."""
    kinds: dict[FieldKind, TypeEngine[Any]] = {
        FieldKind.TEXT: code(field.length),
        FieldKind.INTEGER: BigInteger(),
        FieldKind.DECIMAL: ExactDecimal(field.precision, field.scale),
        FieldKind.BOOLEAN: Boolean(),
        FieldKind.DATE: Date(),
        FieldKind.DATETIME: UtcDateTime(),
    }
    return kinds[field.kind]


def record_table(record_type: RecordType[Any], target: MetaData) -> Table:
    """Declare the table of ``record_type`` on ``target`` and register it for the adapter.

    Nested parts and custom values are JSON text columns. Every indexed field gets an
    index (tenant, field, key), which serves its filters and its keyset order.
    """
    table = Table(record_type.table_name, target, *record_schema(record_type), **TABLE_OPTIONS)
    _TABLES[record_type.name] = table
    return table


def attach_table(record_type: RecordType[Any], table: Table) -> Table:
    """Register an existing ``table`` (made before declarations existed) for ``record_type``.

    Its schema stays as its Alembic revisions made it; only its columns are checked.

    Raises:
        ConfigurationError: the table lacks a column the declaration stores, or its
            primary key is not (tenant, key).
    """
    stored = {"tenant_id", *(f.name for f in record_type.fields), *record_type.nested, "version"}
    if record_type.custom_fields:
        stored.add(CUSTOM_FIELD)
    primary = [c.name for c in table.primary_key.columns]
    if stored != set(table.c.keys()) or primary != ["tenant_id", record_type.key]:
        raise ConfigurationError(
            f"table {table.name} does not store {record_type.entity} as declared: it has "
            f"{sorted(table.c.keys())} keyed by {primary}, the declaration stores "
            f"{sorted(stored)} keyed by ['tenant_id', {record_type.key!r}].",
        )
    _TABLES[record_type.name] = table
    return table


def record_schema(record_type: RecordType[Any]) -> list[Any]:
    """Fresh columns, keys and indexes of ``record_type``'s table (for a Table or a revision)."""
    key = record_type.key
    items: list[Any] = [Column("tenant_id", code(TENANT), nullable=False)]
    items += [
        Column(f.name, column_type(f), nullable=f.nullable and f.name != key)
        for f in record_type.fields
    ]
    items += [Column(name, Text, nullable=False) for name in record_type.nested]
    if record_type.custom_fields:
        items.append(Column(CUSTOM_FIELD, Text, nullable=False))
    items.append(Column("version", Integer, nullable=False))
    table_name = record_type.table_name
    items.append(PrimaryKeyConstraint("tenant_id", key, name=_name("pk", table_name)))
    items += [
        UniqueConstraint("tenant_id", *names, name=_name("uq", table_name, *names))
        for names in record_type.unique
    ]
    items += [
        Index(_name("ix", table_name, f.name), "tenant_id", f.name, key)
        for f in record_type.fields
        if f.indexed and f.name != key
    ]
    return items


def _name(kind: str, table: str, *names: str) -> str:
    """A constraint or index name within the 63 characters PostgreSQL keeps."""
    name = "_".join((kind, table, *names))
    if len(name) > MAX_NAME:
        raise ConfigurationError(
            f"the name {name!r} is longer than {MAX_NAME} characters; shorten the record "
            f"type's name or its field names.",
        )
    return name


def table_of(record_type: RecordType[Any]) -> Table:
    """The registered table of ``record_type``.

    Raises:
        ConfigurationError: no table was declared for it with :func:`record_table`.
    """
    table = _TABLES.get(record_type.name)
    if table is None:
        raise ConfigurationError(
            f"no SQL table is declared for {record_type.entity}; declare it with "
            f"record_table(...) and create it with an Alembic revision.",
        )
    return table


VALUE_COLUMNS = {
    FieldKind.TEXT: "text_value",
    FieldKind.INTEGER: "integer_value",
    FieldKind.DECIMAL: "decimal_value",
    FieldKind.DATE: "date_value",
}
"""The typed column of the custom value table holding each stored kind."""

custom_values: Table = Table(
    "crmkit_custom_value",
    metadata,
    *col.identity("crmkit_custom_value", *col.codes(record_type=64, record_id=128, field_key=40)),
    *col.codes(nullable=True, text_value=CUSTOM_TEXT_LENGTH),
    Column("integer_value", BigInteger, nullable=True),
    Column(
        "decimal_value",
        ExactDecimal(CUSTOM_DECIMAL.precision, CUSTOM_DECIMAL.scale),
        nullable=True,
    ),
    Column("date_value", Date, nullable=True),
    *(
        Index(
            f"ix_crmkit_custom_value_{value}",
            "tenant_id",
            "record_type",
            "field_key",
            value,
            "record_id",
        )
        for value in VALUE_COLUMNS.values()
    ),
    **TABLE_OPTIONS,
)

custom_field_definitions = record_table(CUSTOM_FIELD_DEFINITIONS, metadata)
custom_objects = record_table(CUSTOM_OBJECTS, metadata)
