"""SQLAlchemy Core tables. Alembic migrations in ``migrations/`` create exactly these."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, UniqueConstraint

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

VERSION_TABLE = "crmkit_alembic_version"
"""crmkit's own Alembic revision table, apart from any the application keeps."""

TABLE_OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

TENANT = 64
ID = 32

products = Table(
    "crmkit_product",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("sku", code(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("tax_rate", ExactDecimal(5, 4), nullable=False),
    Column("category", code(100), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "sku"),
    Index(None, "tenant_id", "category", "sku"),
    Index(None, "tenant_id", "active", "sku"),
    **TABLE_OPTIONS,
)
