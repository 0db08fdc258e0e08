"""Reports how many hostile-input cases each backend ran."""

from __future__ import annotations

import pytest

from crmkit.testing.contracts.hostile import HostileInputContract


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per backend: the number of hostile calls made."""
    for suite, count in sorted(HostileInputContract.cases.items()):
        terminalreporter.write_line(f"hostile-input cases: {suite}: {count}")
