"""crmkit demo front-office."""

from __future__ import annotations

import pytest

from crmkit.cli import main


class TestFrontOfficeDemo:
    """The second demo tells the front-office story."""

    def test_demo_front_office(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Lead claimed (second refused), converted, won by a quote; DORMANT goes back."""
        assert main(["demo", "front-office", "--url", "memory://"]) == 0
        out = capsys.readouterr().out
        assert "refused [claim_limit_reached]" in out
        assert "Converted in one unit of work: customer OOLONG" in out
        assert "Forecast 2026-04: CNY 19200.0000 weighted" in out
        assert "wins the opportunity: won." in out
        assert "DORMANT's owner is None: back in the public pool." in out
        assert "auto_return  no follow-up for 7 days" in out

    @pytest.mark.sqlite
    def test_demo_front_office_on_sqlite(
        self, tmp_path: object, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The story runs on a migrated SQLite file too."""
        assert main(["demo", "front-office", "--url", f"sqlite:///{tmp_path}/fo.db"]) == 0
        assert "back in the public pool" in capsys.readouterr().out
