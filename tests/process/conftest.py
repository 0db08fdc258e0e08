"""Backends for the workflow and process tests: all five, hypothesis budgets per backend."""

from __future__ import annotations

import os

import pytest

from crmkit.services import Storage

BACKENDS = [
    pytest.param("memory", marks=pytest.mark.memory),
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
    pytest.param("mongo", marks=pytest.mark.mongo),
]
BUDGETS = {"memory": 30, "sqlite": 8, "postgres": 4, "mariadb": 4, "mongo": 2}
"""Hypothesis examples per property and backend (HYPOTHESIS_PROFILE=thorough: x5)."""


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def storage(backend: str, request: pytest.FixtureRequest) -> Storage:
    found: Storage = request.getfixturevalue(f"{backend}_storage")
    return found


@pytest.fixture
def examples(backend: str) -> int:
    factor = 5 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
    return BUDGETS[backend] * factor
