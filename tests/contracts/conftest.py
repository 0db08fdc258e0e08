"""The backend fixture every contract module shares, and the hostile-input report."""

from __future__ import annotations

from typing import Any

import pytest

from crmkit.services import Storage
from crmkit.testing.contracts.hostile import HostileInputContract

BACKENDS = [
    pytest.param("memory", marks=pytest.mark.memory),
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
    pytest.param("mongo", marks=pytest.mark.mongo),
]
"""The five backends, each marked so that ``-m <backend>`` selects its tests."""


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend the test runs on."""
    name: str = request.param
    return name


@pytest.fixture
def storage(backend: str, request: pytest.FixtureRequest) -> Storage:
    """The session's storage of ``backend`` (see tests/conftest.py)."""
    found: Storage = request.getfixturevalue(f"{backend}_storage")
    return found


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its hostile case counts to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["hostile_cases"] = dict(HostileInputContract.cases)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Add a finished xdist worker's hostile case counts to the controller's."""
    for suite, count in getattr(node, "workeroutput", {}).get("hostile_cases", {}).items():
        HostileInputContract.cases[suite] = HostileInputContract.cases.get(suite, 0) + count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per backend: the number of hostile calls made."""
    for suite, count in sorted(HostileInputContract.cases.items()):
        terminalreporter.write_line(f"hostile-input cases: {suite}: {count}")
