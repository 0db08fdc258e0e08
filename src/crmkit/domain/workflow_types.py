"""Every declared record type of workflow rules and business processes, for the storage."""

from __future__ import annotations

from typing import Any

from crmkit.domain.processes import PROCESS_DEFINITIONS, PROCESS_INSTANCES
from crmkit.domain.records import RecordType
from crmkit.domain.workflows import WORKFLOW_CALLS, WORKFLOW_FIRINGS, WORKFLOW_RULES

WORKFLOW_TYPES: tuple[RecordType[Any], ...] = (
    WORKFLOW_RULES,
    WORKFLOW_FIRINGS,
    WORKFLOW_CALLS,
    PROCESS_DEFINITIONS,
    PROCESS_INSTANCES,
)
