"""Lookups by custom value use the typed index of crmkit_custom_value, not a scan of the tenant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Connection, Engine, delete, insert, text

from crmkit.adapters.sql import SqlStorage
from crmkit.adapters.sql.records import SqlRecordStore
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.tables import custom_values
from crmkit.domain import TenantId
from crmkit.domain.record_query import Between, Equals, StartsWith, custom, plan_query
from crmkit.testing.record_kits import SAMPLE_RECORDS
from tests.contracts.test_records import with_test_types

KINDS = {"size": "number", "weight": "decimal", "remark": "text", "visit_on": "date"}


def explain(engine: Engine, storage: SqlStorage, query: object, prefix: str) -> str:
    """The database's plan for finding sample records by ``query``."""
    with_test_types(storage)
    plan = plan_query(
        SAMPLE_RECORDS,
        KINDS,
        [query],
        order_by=None,
        after=None,
        limit=50,
    )
    session = SqlSession(engine, TenantId("t-plan"))
    try:
        statement = SqlRecordStore(session, SAMPLE_RECORDS).statement(plan)
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as connection:
            if engine.dialect.name != "sqlite":
                fill(connection)
            rows = connection.execute(text(f"{prefix} {compiled}")).all()
    finally:
        session.close()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def fill(connection: Connection) -> None:
    """Many values of many fields in the planner's statistics, so plans are realistic."""
    values = custom_values.c
    connection.execute(delete(custom_values).where(values.tenant_id == "t-plan"))
    connection.execute(
        insert(custom_values),
        [
            {
                "tenant_id": "t-plan",
                "record_type": SAMPLE_RECORDS.name,
                "record_id": f"r{n}",
                "field_key": key,
                "text_value": f"t{n}" if key == "remark" else None,
                "integer_value": n if key == "size" else None,
                "decimal_value": Decimal(n) if key == "weight" else None,
                "date_value": None,
            }
            for n in range(1500)
            for key in ("size", "weight", "remark")
        ],
    )
    analyze = "ANALYZE TABLE" if connection.dialect.name in {"mysql", "mariadb"} else "ANALYZE"
    connection.execute(text(f"{analyze} crmkit_custom_value"))
    connection.commit()


LOOKUPS = [
    (Equals(custom("size"), 9), "ix_crmkit_custom_value_integer_value"),
    (Between(custom("weight"), 1, 2), "ix_crmkit_custom_value_decimal_value"),
    (StartsWith(custom("remark"), "alp"), "ix_crmkit_custom_value_text_value"),
]


class TestIndexedLookups:
    """The query plans of custom value lookups name the typed index."""

    @pytest.mark.sqlite
    @pytest.mark.parametrize(("query", "index"), LOOKUPS)
    def test_sqlite_searches_the_typed_index(
        self, sqlite_storage: SqlStorage, query: object, index: str
    ) -> None:
        """SQLite searches the custom value index and the records by primary key."""
        assert isinstance(sqlite_storage.source, Engine)
        plan = explain(sqlite_storage.source, sqlite_storage, query, "EXPLAIN QUERY PLAN")
        assert index in plan
        assert "SCAN test_sample_record" not in plan

    @pytest.mark.postgres
    @pytest.mark.parametrize(("query", "index"), LOOKUPS)
    def test_postgres_can_use_the_typed_index(
        self, postgres_storage: SqlStorage, query: object, index: str
    ) -> None:
        """PostgreSQL plans an index range scan for the lookup among many stored values."""
        assert isinstance(postgres_storage.source, Engine)
        plan = explain(postgres_storage.source, postgres_storage, query, "EXPLAIN")
        assert index in plan

    @pytest.mark.mariadb
    @pytest.mark.parametrize(("query", "index"), LOOKUPS)
    def test_mariadb_uses_the_typed_index(
        self, mariadb_storage: SqlStorage, query: object, index: str
    ) -> None:
        """MariaDB plans a range on the typed index for the lookup among many stored values."""
        assert isinstance(mariadb_storage.source, Engine)
        plan = explain(mariadb_storage.source, mariadb_storage, query, "EXPLAIN")
        assert index in plan
