"""Record kits of the approval flows' declared types, for the generic record contract."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from crmkit.domain.approvals import (
    APPROVAL_TYPES,
    ApprovalAction,
    ApprovalEntry,
    ApprovalStep,
    ApproverKind,
    OnTimeout,
    StepMode,
)
from crmkit.testing.front_office_kits import example_of, records_of
from crmkit.testing.record_kit import T0, RecordKit, small_texts, timestamps

_IDS = st.sampled_from(["u1", "u2", "u10"]) | st.uuids().map(lambda u: u.hex)
_STEPS = st.builds(
    ApprovalStep,
    approver=st.sampled_from(list(ApproverKind)),
    target=st.none() | _IDS,
    levels=st.integers(1, 10),
    mode=st.sampled_from(list(StepMode)),
    timeout_hours=st.none() | st.integers(1, 8760),
    on_timeout=st.sampled_from(list(OnTimeout)),
    escalate_to=st.none() | _IDS,
)
_ENTRIES = st.builds(
    ApprovalEntry,
    at=timestamps(),
    action=st.sampled_from(list(ApprovalAction)),
    step_no=st.integers(1, 10),
    user_id=st.none() | _IDS,
    on_behalf_of=st.none() | _IDS,
    note=st.none() | small_texts(200),
)
NESTED: dict[str, st.SearchStrategy[Any]] = {
    "steps": st.lists(_STEPS, min_size=1, max_size=3).map(tuple),
    "approvers": st.lists(_IDS, max_size=4, unique=True).map(tuple),
    "approved_by": st.lists(_IDS, max_size=4, unique=True).map(tuple),
    "history": st.lists(_ENTRIES, max_size=4).map(tuple),
}
NESTED_EXAMPLES: dict[str, Any] = {
    "steps": (
        ApprovalStep(ApproverKind.MANAGER),
        ApprovalStep(ApproverKind.ROLE, "manager", mode=StepMode.ALL, timeout_hours=24),
    ),
    "approvers": ("u1", "u2"),
    "approved_by": ("u1",),
    "history": (ApprovalEntry(T0, ApprovalAction.SUBMITTED, 1, "u3", None, "Big discount"),),
}

PROCESS_KITS: dict[str, RecordKit[Any]] = {
    t.name: RecordKit(t, records_of(t, NESTED), example_of(t, NESTED_EXAMPLES))
    for t in APPROVAL_TYPES
}
"""A kit for every approval record type, by type name."""
