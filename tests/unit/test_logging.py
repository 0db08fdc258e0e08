"""crmkit logs retries, conflicts and migrations under the ``crmkit`` logger."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crmkit import ConcurrencyConflict, upgrade_database
from crmkit.services.retry import retrying


class TestLogging:
    """Log records a team can route and filter."""

    def test_each_retry_is_logged_and_giving_up_warns(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Two conflicts then success: two INFO records; always conflicting: a WARNING."""
        remaining = [2]

        def operation() -> str:
            if remaining[0]:
                remaining[0] -= 1
                raise ConcurrencyConflict("Product", "P1", "acme", "changed meanwhile")
            return "done"

        with caplog.at_level(logging.INFO, logger="crmkit"):
            assert retrying(operation, base_delay=0) == "done"
        records = [r for r in caplog.records if r.name == "crmkit.retry"]
        assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
        assert "attempt 1 conflicted" in records[0].getMessage()
        caplog.clear()

        def always() -> str:
            raise ConcurrencyConflict("Product", "P1", "acme", "changed meanwhile")

        with caplog.at_level(logging.INFO, logger="crmkit"), pytest.raises(ConcurrencyConflict):
            retrying(always, attempts=3, budget_s=0, base_delay=0)
        assert [r.levelno for r in caplog.records if r.name == "crmkit.retry"][-1] == (
            logging.WARNING
        )

    @pytest.mark.sqlite
    def test_a_migration_is_logged_once(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Upgrading a new database logs the revisions; an up-to-date one logs nothing."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        with caplog.at_level(logging.INFO, logger="crmkit"):
            upgrade_database(url)
            upgrade_database(url)
        messages = [r.getMessage() for r in caplog.records if r.name == "crmkit.migrations"]
        assert len(messages) == 1
        assert messages[0].startswith("crmkit schema upgraded from [] to ['0")
