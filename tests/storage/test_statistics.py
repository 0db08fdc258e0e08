"""Planner statistics: a SQL storage ANALYZEs crmkit's tables on request."""

from __future__ import annotations

import time

from sqlalchemy import text

from crmkit.adapters.memory import InMemoryStorage
from crmkit.adapters.sql import SqlStorage

ANALYZED = text(
    "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'crmkit_price_entry'"
)


def _analyze_count(storage: SqlStorage) -> int:
    with storage.source.connect() as connection:  # type: ignore[union-attr]
        count: int = connection.execute(ANALYZED).scalar_one()
    return count


class TestRefreshStatistics:
    """``refresh_statistics`` after a bulk load."""

    def test_sqlite_gathers_statistics(self, sqlite_storage: SqlStorage) -> None:
        """SQLite has statistics (sqlite_stat1) afterwards."""
        sqlite_storage.refresh_statistics()
        with sqlite_storage.source.connect() as connection:  # type: ignore[union-attr]
            found = connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            ).scalar_one()
        assert found == 1

    def test_postgres_analyzes_the_tables(self, postgres_storage: SqlStorage) -> None:
        """PostgreSQL records an ANALYZE of crmkit's tables."""
        before = _analyze_count(postgres_storage)
        postgres_storage.refresh_statistics()
        deadline = time.monotonic() + 10  # the statistics views lag a moment behind
        while _analyze_count(postgres_storage) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _analyze_count(postgres_storage) > before

    def test_mariadb_analyzes_without_error(self, mariadb_storage: SqlStorage) -> None:
        """MariaDB runs ANALYZE TABLE over every crmkit table (its result rows are read)."""
        mariadb_storage.refresh_statistics()

    def test_memory_has_nothing_to_refresh(self, memory_storage: InMemoryStorage) -> None:
        """The in-memory storage accepts the call."""
        memory_storage.refresh_statistics()
