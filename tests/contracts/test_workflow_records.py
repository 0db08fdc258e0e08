"""The generic record contract for every workflow and process record type, on all five backends.

Five types run here, so the hypothesis budgets are smaller than for the generic kits in
``test_records.py`` (every type shares the same generic repository code underneath).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from crmkit.testing.contracts.records import RecordTypeContract
from crmkit.testing.record_kits import RecordKit
from crmkit.testing.workflow_kits import WORKFLOW_KITS

BUDGETS = {"memory": 20, "sqlite": 8, "postgres": 5, "mariadb": 5, "mongo": 3}
"""Hypothesis examples per test, type and backend (HYPOTHESIS_PROFILE=thorough: x5)."""


@pytest.fixture
def examples(backend: str) -> int:
    factor = 5 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
    return BUDGETS[backend] * factor


@pytest.fixture(params=sorted(WORKFLOW_KITS))
def record_kit(request: pytest.FixtureRequest) -> RecordKit[Any]:
    return WORKFLOW_KITS[request.param]


class TestWorkflowRecordTypes(RecordTypeContract):
    """The generic record contract, for every workflow and process type on every backend."""
