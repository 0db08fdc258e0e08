"""Time rules on every backend: "N days after a record's date field" fires once per
(rule, record, date value), custom date fields included."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest

from crmkit.domain.custom_fields import (
    CUSTOM_FIELD_DEFINITIONS,
    CustomFieldDefinition,
    CustomFieldKind,
)
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.errors import ValidationError
from crmkit.process import TIME_EVENT, eq, notify
from crmkit.services import Storage
from crmkit.services.workflows import WorkflowService
from tests.process.support import T0, Place, place


def with_renewal(where: Place) -> None:
    """Give the tenant's customers a ``renewal_on`` custom date field."""
    with where.uow() as uow:
        uow.records(CUSTOM_FIELD_DEFINITIONS).add(
            CustomFieldDefinition.new(
                where.tenant, record_type="customer", key="renewal_on", label="Renewal",
                kind=CustomFieldKind.DATE, now=T0,
            )
        )  # fmt: skip
        uow.commit()


def set_renewal(where: Place, customer_id: str, on: date | None) -> None:
    """Set (or clear) a customer's ``renewal_on``."""
    with where.uow() as uow:
        records: Any = uow.records(CUSTOMERS)
        found = records.get(customer_id)
        custom = {k: v for k, v in found.custom.items() if k != "renewal_on"}
        if on is not None:
            custom["renewal_on"] = on
        records.update(attrs.evolve(found, custom=custom))
        uow.commit()


def messages(where: Place) -> list[str]:
    """The pending calls' messages, sorted."""
    return sorted(c.message for c in where.services.workflows.pending_calls())


class TestTimeRules:
    """A time rule fires once per record and date value when its day has come."""

    def test_days_after_a_builtin_datetime_field_fire_once_each(self, storage: Storage) -> None:
        """30 days after ``created_at``: nothing the day before, every customer on the
        day, nothing on a second scan."""
        where = place(storage)
        rule = where.services.workflows.define_time_rule(
            "A month in", record_type="customer", date_field="created_at", offset_days=30,
            actions=[notify("sms", "{code} {event.due_on}")],
        )  # fmt: skip
        assert (rule.date_field, rule.offset_days, rule.event) == ("created_at", 30, TIME_EVENT)
        workflows = where.services.workflows
        assert workflows.run_due(date(2026, 3, 31)) == 0
        assert workflows.run_due(date(2026, 4, 1)) == 3
        assert workflows.run_due(date(2026, 4, 9)) == 0
        assert messages(where) == sorted(f"{c.code} 2026-04-01" for c in where.customers)
        firings = workflows.firings(rule.id)
        assert sorted(f.record_key or "" for f in firings) == sorted(c.id for c in where.customers)
        assert {f.outcome for f in firings} == {"done"}
        assert workflows.run() == 0  # time rules do not run on outbox events

    def test_a_scan_past_fired_records_reads_their_firings_in_one_unit_of_work(
        self, storage: Storage
    ) -> None:
        """Once every customer has fired, a later scan fires none and opens one unit of
        work (the scan's own), not one per customer of the window."""
        where = place(storage, customers=7)
        where.services.workflows.define_time_rule(
            "A month in", record_type="customer", date_field="created_at", offset_days=30,
            actions=[notify("sms", "{code}")],
        )  # fmt: skip
        opened: list[int] = []

        def counted() -> Any:
            opened.append(1)
            return where.uow()

        workflows = WorkflowService(counted, where.clock)
        assert workflows.run_due(date(2026, 4, 1)) == 7
        assert len(opened) == 1 + 7
        opened.clear()
        assert workflows.run_due(date(2026, 4, 9)) == 0
        assert len(opened) == 1
        assert len(messages(where)) == 7

    def test_a_custom_date_field_fires_again_only_for_a_new_date(self, storage: Storage) -> None:
        """7 days before ``custom.renewal_on``, with a condition: once per date value; a
        due day before the rule was saved never fires."""
        where = place(storage)
        with_renewal(where)
        gold, old, plain = where.customers
        set_renewal(where, gold.id, date(2026, 5, 10))
        set_renewal(where, old.id, date(2026, 2, 1))
        workflows = where.services.workflows
        workflows.define_time_rule(
            "Renewal", record_type="customer", date_field="custom.renewal_on", offset_days=-7,
            condition=eq("event.offset_days", -7), actions=[notify("mail", "{code} {event.date}")],
        )  # fmt: skip
        assert workflows.run_due(date(2026, 5, 2)) == 0
        assert workflows.run_due(date(2026, 5, 3)) == 1
        assert workflows.run_due(date(2026, 6, 30)) == 0
        set_renewal(where, gold.id, date(2026, 7, 10))
        assert workflows.run_due(date(2026, 7, 3)) == 1
        assert workflows.run_due(date(2026, 7, 3)) == 0
        assert messages(where) == [f"{gold.code} 2026-05-10", f"{gold.code} 2026-07-10"]
        assert plain.id not in {c.record_key for c in workflows.pending_calls()}

    def test_bad_time_rules_are_refused_and_change_nothing(self, storage: Storage) -> None:
        """A non-date field, an unknown type, a wild offset, or a time rule through
        ``define_rule`` is refused with nothing saved."""
        where = place(storage)
        with_renewal(where)
        before = where.snapshot()
        workflows = where.services.workflows
        for record_type, field, offset in (
            ("customer", "code", 1),
            ("customer", "custom.tier", 1),
            ("nothing", "created_at", 1),
            ("customer", "created_at", 99999),
            ("customer", "created_at", True),
        ):
            with pytest.raises(ValidationError):
                workflows.define_time_rule(
                    "Bad", record_type=record_type, date_field=field, offset_days=offset,
                    actions=[notify("sms", "x")],
                )  # fmt: skip
        with pytest.raises(ValidationError):
            workflows.define_rule("Sneaky", event=TIME_EVENT, actions=[notify("sms", "x")])
        with pytest.raises(ValidationError):
            workflows.run_due(T0)  # a datetime is refused: days only
        assert where.snapshot() == before
