"""The backend fixture every contract module shares."""

from __future__ import annotations

import pytest

from crmkit.services import Storage

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
