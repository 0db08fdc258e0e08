"""Column groups of crmkit's hand-written tables, shared by the Core tables and the revisions.

Released Alembic revisions call these helpers, so what each one returns is frozen: a table
that needs another shape writes that column out (or gets a new helper); changing a helper
would change the tables of databases that are already migrated.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Integer, PrimaryKeyConstraint, Text

from crmkit.adapters.sql.tables.base import ID, TENANT
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

AMOUNT_PRECISION = 18
AMOUNT_SCALE = 4
"""Amounts and quantities keep 4 decimals and 14 integer digits."""


def identity(table: str, *keys: str | Column[Any]) -> list[Any]:
    """``tenant_id`` and the key columns (a name is a ``code(ID)``; default ``id``), not null,
    and the primary key ``pk_<table>`` on them, tenant first."""
    columns: list[Column[Any]] = [Column("tenant_id", code(TENANT), nullable=False)]
    columns += [
        key if isinstance(key, Column) else Column(key, code(ID), nullable=False)
        for key in keys or ("id",)
    ]
    names = [column.name for column in columns]
    return [*columns, PrimaryKeyConstraint(*names, name=f"pk_{table}")]


def codes(nullable: bool = False, **lengths: int) -> list[Column[str]]:
    """Code columns (compared byte by byte) of the given lengths, in the order given."""
    return [Column(name, code(length), nullable=nullable) for name, length in lengths.items()]


def amounts(*names: str) -> list[Column[Any]]:
    """Not-null exact decimals with the precision of amounts (and of quantities)."""
    return [
        Column(name, ExactDecimal(AMOUNT_PRECISION, AMOUNT_SCALE), nullable=False) for name in names
    ]


def texts(*names: str) -> list[Column[str]]:
    """Not-null text columns (JSON documents, lists)."""
    return [Column(name, Text(), nullable=False) for name in names]


def flags(*names: str) -> list[Column[bool]]:
    """Not-null booleans."""
    return [Column(name, Boolean(), nullable=False) for name in names]


def times(*names: str, nullable: bool = False) -> list[Column[Any]]:
    """UTC timestamps."""
    return [Column(name, UtcDateTime(), nullable=nullable) for name in names]


def stamped(*names: str) -> list[Column[Any]]:
    """The not-null timestamps ``names``, then the row's ``version`` (optimistic locking)."""
    return [*times(*names), Column("version", Integer(), nullable=False)]
