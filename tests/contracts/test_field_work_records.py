"""The generic record contract for every field-work record type, on all five backends.

Five types run here, so the hypothesis budgets are smaller than for the generic kits in
``test_records.py`` (every type shares the same generic repository code underneath).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from crmkit.testing.contracts.records import RecordTypeContract
from crmkit.testing.field_work_kits import FIELD_WORK_KITS
from crmkit.testing.record_kits import RecordKit

BUDGETS = {"memory": 20, "sqlite": 8, "postgres": 5, "mariadb": 5, "mongo": 3}
"""Hypothesis examples per test, type and backend (HYPOTHESIS_PROFILE=thorough: x5)."""


@pytest.fixture
def examples(backend: str) -> int:
    factor = 5 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
    return BUDGETS[backend] * factor


@pytest.fixture(params=sorted(FIELD_WORK_KITS))
def record_kit(request: pytest.FixtureRequest) -> RecordKit[Any]:
    return FIELD_WORK_KITS[request.param]


class TestFieldWorkRecordTypes(RecordTypeContract):
    """The generic record contract, for every field-work type on every backend."""
