"""The shared metadata, naming convention and column sizes of crmkit's tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

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
