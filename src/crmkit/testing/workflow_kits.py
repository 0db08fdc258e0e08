"""Record kits of the workflow rules' and business processes' declared types, for the
generic record contract."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from crmkit.domain.processes import InstanceTask, ProcessStage, StageTask, StageVisit, Transition
from crmkit.domain.workflow_types import WORKFLOW_TYPES
from crmkit.domain.workflows import ActionKind, RuleAction
from crmkit.testing.front_office_kits import example_of, records_of
from crmkit.testing.record_kit import T0, RecordKit, small_texts, timestamps

_IDS = st.sampled_from(["u1", "u2", "u10"]) | st.uuids().map(lambda u: u.hex)
_MOMENTS = st.none() | timestamps()
NESTED: dict[str, st.SearchStrategy[Any]] = {
    "actions": st.lists(
        st.builds(
            RuleAction,
            kind=st.sampled_from(list(ActionKind)),
            target=st.just("") | small_texts(64),
            value=st.just("") | small_texts(500),
            days=st.integers(-3660, 3660),
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    "stages": st.lists(
        st.builds(
            ProcessStage,
            code=small_texts(32),
            name=small_texts(200),
            tasks=st.lists(
                st.builds(StageTask, small_texts(200), small_texts(16), st.integers(0, 3660)),
                max_size=2,
            ).map(tuple),
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    "transitions": st.lists(
        st.builds(Transition, small_texts(32), small_texts(32), st.just("") | small_texts(400)),
        max_size=3,
    ).map(tuple),
    "tasks": st.lists(
        st.builds(
            InstanceTask,
            no=st.integers(1, 1000),
            stage=small_texts(32),
            title=small_texts(200),
            role=small_texts(16),
            due_at=timestamps(),
            done_at=_MOMENTS,
            done_by=st.none() | _IDS,
        ),
        max_size=3,
    ).map(tuple),
    "history": st.lists(
        st.builds(StageVisit, small_texts(32), timestamps(), _MOMENTS, st.none() | _IDS),
        min_size=1,
        max_size=3,
    ).map(tuple),
}
NESTED_EXAMPLES: dict[str, Any] = {
    "actions": (RuleAction(ActionKind.NOTIFY, "sms", "Order {event.number} confirmed"),),
    "stages": (
        ProcessStage("visit", "Visit", (StageTask("Book a visit", "rep", 2),)),
        ProcessStage("done", "Done"),
    ),
    "transitions": (Transition("visit", "done"),),
    "tasks": (InstanceTask(1, "visit", "Book a visit", "rep", T0),),
    "history": (StageVisit("visit", T0),),
}

WORKFLOW_KITS: dict[str, RecordKit[Any]] = {
    t.name: RecordKit(t, records_of(t, NESTED), example_of(t, NESTED_EXAMPLES), ())
    for t in WORKFLOW_TYPES
}
"""A kit for every workflow and process record type, by type name."""
