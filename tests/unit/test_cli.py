"""The crmkit command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit.cli import main


class TestCommandLine:
    """crmkit demo and crmkit db upgrade."""

    def test_demo_runs_and_shows_refusals(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo on memory:// creates, lists and shows the three refusals."""
        assert main(["demo", "--url", "memory://"]) == 0
        out = capsys.readouterr().out
        assert "created 6 products" in out
        assert "refused with duplicate" in out
        assert "refused with concurrency_conflict" in out
        assert "refused with float_not_allowed" in out
        assert "page 3" in out

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
