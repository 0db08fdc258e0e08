"""The generic record contract for every front-office record type, on all five backends.

Twelve types run here, so the hypothesis budgets are smaller than for the generic kits in
``test_records.py`` (every type shares the same generic repository code underneath).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from crmkit.testing.contracts.records import RecordTypeContract
from crmkit.testing.front_office_kits import FRONT_OFFICE_KITS
from crmkit.testing.record_kits import RecordKit

BUDGETS = {"memory": 25, "sqlite": 10, "postgres": 6, "mariadb": 6, "mongo": 4}
"""Hypothesis examples per test, type and backend (HYPOTHESIS_PROFILE=thorough: x5)."""


@pytest.fixture
def examples(backend: str) -> int:
    factor = 5 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
    return BUDGETS[backend] * factor


@pytest.fixture(params=sorted(FRONT_OFFICE_KITS))
def record_kit(request: pytest.FixtureRequest) -> RecordKit[Any]:
    return FRONT_OFFICE_KITS[request.param]


class TestFrontOfficeRecordTypes(RecordTypeContract):
    """The generic record contract, for every front-office type on every backend."""
