"""Record kits of field work and service's declared types, for the generic record contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from crmkit.domain.field_work.calendar import Priority, SlaTarget
from crmkit.domain.field_work.shelf import ShelfLine
from crmkit.domain.field_work.templates import FieldValue, FormField, FormFieldKind, Step, StepKind
from crmkit.domain.field_work.types import FIELD_WORK_TYPES
from crmkit.domain.field_work.visits import StepEntry
from crmkit.domain.field_work.work_orders import Assignment, Comment
from crmkit.testing.front_office_kits import example_of, records_of
from crmkit.testing.record_kits import T0, RecordKit, small_texts, timestamps

_IDS = st.sampled_from(["u1", "u2", "u10"]) | st.uuids().map(lambda u: u.hex)
_DAYS = st.lists(st.dates(date(1900, 1, 1), date(2199, 12, 31)), max_size=4).map(tuple)
_QUANTITY = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)
_FIELDS = st.builds(
    FormField,
    key=small_texts(32),
    kind=st.sampled_from(list(FormFieldKind)),
    required=st.booleans(),
    choices=st.lists(small_texts(64), max_size=3).map(tuple),
)
NESTED: dict[str, st.SearchStrategy[Any]] = {
    "steps": st.lists(
        st.builds(
            Step,
            code=small_texts(32),
            name=small_texts(200),
            kind=st.sampled_from(list(StepKind)),
            required=st.booleans(),
            fields=st.lists(_FIELDS, max_size=2).map(tuple),
        ),
        max_size=4,
    ).map(tuple),
    "entries": st.lists(
        st.builds(
            StepEntry,
            step_code=small_texts(32),
            at=timestamps(),
            values=st.lists(
                st.builds(FieldValue, small_texts(32), small_texts(500)), max_size=2
            ).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
    "lines": st.lists(
        st.builds(
            ShelfLine,
            product_id=_IDS,
            facings=st.integers(0, 10_000),
            on_shelf=_QUANTITY,
            price_seen=st.none() | st.decimals(min_value=0, max_value=10**6, places=4),
        ),
        max_size=4,
    ).map(tuple),
    "holidays": _DAYS,
    "extra_working_days": _DAYS,
    "targets": st.lists(
        st.builds(
            SlaTarget,
            priority=st.sampled_from(list(Priority)),
            response_minutes=st.integers(1, 10**6),
            resolution_minutes=st.integers(1, 10**6),
        ),
        max_size=4,
    ).map(tuple),
    "assignments": st.lists(st.builds(Assignment, _IDS, _IDS, timestamps()), max_size=3).map(tuple),
    "comments": st.lists(st.builds(Comment, _IDS, timestamps(), small_texts(2000)), max_size=3).map(
        tuple
    ),
}
NESTED_EXAMPLES: dict[str, Any] = {
    "steps": (
        Step("in", "Check in", StepKind.CHECK_IN),
        Step("form", "Form", StepKind.FORM, True, (FormField("n", FormFieldKind.NUMBER),)),
        Step("out", "Check out", StepKind.CHECK_OUT),
    ),
    "entries": (StepEntry("in", T0), StepEntry("form", T0, (FieldValue("n", "12.5"),))),
    "lines": (ShelfLine("p1", 3, Decimal("12.000"), Decimal("9.9000")),),
    "holidays": (date(2026, 10, 1),),
    "extra_working_days": (date(2026, 9, 27),),
    "targets": (SlaTarget(Priority.HIGH, 60, 480),),
    "assignments": (Assignment("u1", "u2", T0),),
    "comments": (Comment("u1", T0, "Called the store."),),
}

FIELD_WORK_KITS: dict[str, RecordKit[Any]] = {
    t.name: RecordKit(t, records_of(t, NESTED), example_of(t, NESTED_EXAMPLES), ())
    for t in FIELD_WORK_TYPES
}
"""A kit for every field-work record type, by type name."""
