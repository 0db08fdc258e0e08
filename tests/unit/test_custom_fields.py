"""Custom field definitions and the service that defines them (in memory)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crmkit.adapters.clock import FixedClock
from crmkit.adapters.memory import InMemoryStorage
from crmkit.domain import TenantId, ValidationError
from crmkit.domain.custom_fields import CUSTOM_FIELD_DEFINITIONS, CustomFieldKind
from crmkit.services.custom_fields import CustomFieldService
from crmkit.testing.record_kits import SAMPLE_CONTACTS, SAMPLE_RECORDS

T0 = datetime(2026, 2, 1, tzinfo=UTC)
TENANT = TenantId("t-fields")


def service(storage: InMemoryStorage) -> CustomFieldService:
    return CustomFieldService(lambda: storage.unit_of_work(TENANT), FixedClock(T0))


class TestDefiningFields:
    """Definitions are checked before they are stored."""

    @pytest.mark.parametrize(
        "bad",
        [
            {"key": "Region"},
            {"key": "1st"},
            {"key": "a.b"},
            {"key": "$where"},
            {"label": " "},
            {"kind": "text"},
            {"kind": CustomFieldKind.CHOICE},
            {"choices": ["a", "a"], "kind": CustomFieldKind.CHOICE},
            {"choices": ["a"]},
            {"kind": CustomFieldKind.DECIMAL, "decimal_places": 7},
            {"kind": CustomFieldKind.DECIMAL, "decimal_places": True},
            {"kind": CustomFieldKind.REFERENCE},
            {"reference_to": SAMPLE_CONTACTS},
            {"reference_to": "sample_contact", "kind": CustomFieldKind.REFERENCE},
        ],
    )
    def test_malformed_definitions_are_refused(self, bad: dict[str, Any]) -> None:
        """Bad keys, labels, kinds, choices, decimal places or references: ValidationError."""
        storage = InMemoryStorage()
        given: dict[str, Any] = {"key": "region", "label": "Region", "kind": CustomFieldKind.TEXT}
        given.update(bad)
        with pytest.raises(ValidationError):
            service(storage).define_field(SAMPLE_RECORDS, **given)
        with storage.unit_of_work(TENANT) as uow:
            assert uow.records(CUSTOM_FIELD_DEFINITIONS).find().items == ()

    def test_a_type_without_custom_fields_takes_none(self) -> None:
        """Only types declared with custom_fields=True get custom fields."""
        with pytest.raises(ValidationError):
            service(InMemoryStorage()).define_field(
                SAMPLE_CONTACTS, key="x", label="X", kind=CustomFieldKind.TEXT
            )

    def test_a_definition_is_listed_for_its_record_type(self) -> None:
        """fields_of lists the type's active fields by key, cleaned as stored."""
        storage = InMemoryStorage()
        fields = service(storage)
        fields.define_field(SAMPLE_RECORDS, key="zone", label=" Zone ", kind=CustomFieldKind.TEXT)
        fields.define_field(
            SAMPLE_RECORDS,
            key="buyer",
            label="Buyer",
            kind=CustomFieldKind.REFERENCE,
            reference_to=SAMPLE_CONTACTS,
        )
        listed = fields.fields_of(SAMPLE_RECORDS)
        assert [(d.key, d.label, d.reference_to) for d in listed] == [
            ("buyer", "Buyer", "sample_contact"),
            ("zone", "Zone", None),
        ]
