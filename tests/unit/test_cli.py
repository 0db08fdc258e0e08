"""The crmkit command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit.cli import main


class TestCommandLine:
    """crmkit demo and crmkit db upgrade."""

    def test_demo_runs_the_order_flow(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo on memory:// goes from catalog to a closed order and shows refusals."""
        assert main(["demo", "--url", "memory://"]) == 0
        out = capsys.readouterr().out
        assert "the same request key again returns the same order: True" in out
        assert "-> duplicate:" in out
        assert "-> insufficient_stock:" in out
        assert "-> insufficient_funds:" in out
        assert out.count("state before and after is equal") == 2
        assert "held   0.00" in out  # every hold was posted, credited back or voided
        assert "DN-2026-000001" in out
        assert "RO-2026-000001" in out
        assert "SO-2026-000001 closed" in out
        assert "sales_order.credited_back" in out

    @pytest.mark.sqlite
    def test_db_upgrade_creates_the_schema(self, tmp_path: Path) -> None:
        """db upgrade on a new SQLite file succeeds, twice."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        assert main(["db", "upgrade", url]) == 0
        assert main(["db", "upgrade", url]) == 0

    def test_bad_urls_exit_with_code_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unusable URL prints the error's code and exits 2."""
        assert main(["db", "upgrade", "sqlite://"]) == 2
        assert "[configuration]" in capsys.readouterr().err
