"""The custom field contract: values are checked, stored, found and ordered alike everywhere.

Runs on the example type :data:`~crmkit.testing.record_kits.SAMPLE_RECORDS`, whose table
(or collection) the test module's ``storage`` must have.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crmkit.adapters.clock import FixedClock
from crmkit.domain import DuplicateRecord, NotFound, TenantId, ValidationError
from crmkit.domain.custom_fields import CustomFieldKind
from crmkit.domain.custom_objects import CustomObject, custom_object_type
from crmkit.domain.record_query import Between, Equals, IsEmpty, OneOf, StartsWith, custom
from crmkit.services import Storage
from crmkit.services.custom_fields import CustomFieldService
from crmkit.testing.contracts.record_support import everything, keys_of, prepare, walk
from crmkit.testing.contracts.support import canonical
from crmkit.testing.record_kits import (
    SAMPLE_KIT,
    SAMPLE_RECORDS,
    T0,
    VEHICLE_KIT,
    VEHICLES,
    SampleRecord,
    sample_record,
    vehicle,
)


def _tenant_with_records(storage: Storage, values: list[dict[str, Any]]) -> list[SampleRecord]:
    """A fresh tenant with the sample custom fields and one record per custom values."""
    tenant = prepare(storage, SAMPLE_KIT)
    records = [attrs.evolve(sample_record(tenant, n), custom=v) for n, v in enumerate(values)]
    with storage.unit_of_work(tenant) as uow:
        repo = uow.records(SAMPLE_RECORDS)
        stored = [repo.add(r) for r in records]
        uow.commit()
    return stored


def _find(storage: Storage, tenant: TenantId, *filters: object, order_by: str | None = None) -> Any:
    return walk(storage, tenant, SAMPLE_KIT, list(filters), order_by=order_by, limit=2)


def _values(records: list[SampleRecord], key: str) -> list[Any]:
    return [r.custom.get(key) for r in records]


class CustomFieldContract:
    """Every backend checks, stores, filters and orders custom values the same way."""

    @pytest.mark.parametrize(
        ("key", "given", "ordered"),
        [
            ("size", [10, 9, 100, -1], [-1, 9, 10, 100]),
            (
                "weight",
                [Decimal("10.25"), Decimal("9.5"), Decimal("-0.50"), Decimal("100")],
                [Decimal("-0.50"), Decimal("9.5"), Decimal("10.25"), Decimal("100")],
            ),
            (
                "visit_on",
                [date(2026, 10, 1), date(2026, 9, 30), date(1999, 12, 31)],
                [date(1999, 12, 31), date(2026, 9, 30), date(2026, 10, 1)],
            ),
            ("remark", ["b", "B", "é", "a", "10", "9"], ["10", "9", "B", "a", "b", "é"]),
        ],
    )
    def test_values_order_as_numbers_dates_and_code_points(
        self, storage: Storage, key: str, given: list[Any], ordered: list[Any]
    ) -> None:
        """9 sorts before 10, dates by date, texts by code point, across pages."""
        stored = _tenant_with_records(storage, [{key: v} for v in given] + [{}])
        found = _find(storage, stored[0].tenant_id, order_by=custom(key))
        assert _values(found, key) == ordered
        assert canonical(_values(found, key)) == canonical(ordered)

    def test_filters_on_custom_values(self, storage: Storage) -> None:
        """Equals, one of, range, is empty and prefix select the records holding the values."""
        stored = _tenant_with_records(
            storage,
            [
                {"size": 9, "region": "north", "remark": "alpha"},
                {"size": 10, "region": "south", "remark": "alpine"},
                {"size": 100, "remark": "beta", "weight": Decimal("1.50")},
                {},
            ],
        )
        tenant = stored[0].tenant_id

        def codes(*filters: object) -> list[str]:
            return sorted(r.code for r in _find(storage, tenant, *filters))

        assert codes(Equals(custom("size"), 10)) == ["S-1"]
        assert codes(OneOf(custom("region"), ["north", "south"])) == ["S-0", "S-1"]
        assert codes(Between(custom("size"), 9, 10)) == ["S-0", "S-1"]
        assert codes(Between(custom("size"), low=11)) == ["S-2"]
        assert codes(IsEmpty(custom("size"))) == ["S-3"]
        assert codes(IsEmpty(custom("size"), empty=False)) == ["S-0", "S-1", "S-2"]
        assert codes(StartsWith(custom("remark"), "alp")) == ["S-0", "S-1"]
        assert codes(Equals(custom("weight"), Decimal("1.5"))) == ["S-2"]
        assert codes(Equals(custom("size"), 9), Equals(custom("region"), "south")) == []

    def test_changed_values_replace_the_old_ones(self, storage: Storage) -> None:
        """After an update, lookups find the new values and no longer the old."""
        record = _tenant_with_records(storage, [{"size": 9, "region": "north"}])[0]
        with storage.unit_of_work(record.tenant_id) as uow:
            saved = uow.records(SAMPLE_RECORDS).update(attrs.evolve(record, custom={"size": 11}))
            uow.commit()
        tenant = record.tenant_id
        assert _find(storage, tenant, Equals(custom("size"), 9)) == []
        assert _find(storage, tenant, Equals(custom("region"), "north")) == []
        assert keys_of(SAMPLE_KIT, _find(storage, tenant, Equals(custom("size"), 11))) == [saved.id]
        assert _find(storage, tenant, IsEmpty(custom("region"))) == [saved]

    @pytest.mark.parametrize(
        "bad",
        [
            {"colour": "red"},
            {"size": "9"},
            {"size": 9.0},
            {"size": True},
            {"size": 10**15},
            {"weight": Decimal("1.234")},
            {"weight": "1.5"},
            {"region": "west"},
            {"visit_on": T0},
            {"remark": "x" * 201},
            {"remark": "bell\x07"},
            {"contact": {"$gt": ""}},
            {"contact": "c-404"},
        ],
    )
    def test_invalid_values_are_refused_and_change_nothing(
        self, storage: Storage, bad: dict[str, Any]
    ) -> None:
        """A value of an unknown field, the wrong kind or form raises ValidationError."""
        record = _tenant_with_records(storage, [{"size": 1}])[0]
        tenant = record.tenant_id
        before = everything(storage, tenant, SAMPLE_KIT)
        with storage.unit_of_work(tenant) as uow:
            repo = uow.records(SAMPLE_RECORDS)
            with pytest.raises(ValidationError) as raised:
                repo.update(attrs.evolve(record, custom=bad))
            assert record.id in raised.value.message
            other = attrs.evolve(sample_record(tenant, 99), custom=bad)
            with pytest.raises(ValidationError):
                repo.add(other)
            uow.commit()
        assert canonical(everything(storage, tenant, SAMPLE_KIT)) == canonical(before)

    def test_a_required_field_needs_a_value(self, storage: Storage) -> None:
        """Once a field is required, a record without a value for it is refused."""
        tenant = prepare(storage, SAMPLE_KIT)
        service = CustomFieldService(lambda: storage.unit_of_work(tenant), FixedClock(T0))
        service.define_field(
            SAMPLE_RECORDS, key="grade", label="Grade", kind=CustomFieldKind.TEXT, required=True
        )
        with storage.unit_of_work(tenant) as uow:
            repo = uow.records(SAMPLE_RECORDS)
            with pytest.raises(ValidationError) as raised:
                repo.add(sample_record(tenant, 1))
            assert "grade" in raised.value.message
            repo.add(attrs.evolve(sample_record(tenant, 2), custom={"grade": "A"}))
            uow.commit()
        assert [r.custom for r in everything(storage, tenant, SAMPLE_KIT)] == [{"grade": "A"}]

    def test_a_field_key_is_defined_once_per_record_type(self, storage: Storage) -> None:
        """Defining the same key twice raises DuplicateRecord; the definitions stay as they were."""
        tenant = prepare(storage, SAMPLE_KIT)
        service = CustomFieldService(lambda: storage.unit_of_work(tenant), FixedClock(T0))
        before = service.fields_of(SAMPLE_RECORDS)
        with pytest.raises(DuplicateRecord):
            service.define_field(
                SAMPLE_RECORDS, key="size", label="Size again", kind=CustomFieldKind.TEXT
            )
        assert service.fields_of(SAMPLE_RECORDS) == before
        assert [d.key for d in before] == sorted(f["key"] for f in SAMPLE_KIT.custom_fields)

    @pytest.mark.parametrize(
        "bad_filter",
        [
            Equals(custom("nope"), 1),
            Equals(custom("size"), "9"),
            Between(custom("weight"), Decimal("0.0000001")),
            StartsWith(custom("size"), "9"),
            OneOf(custom("region"), "north"),
            Equals("note", "x"),
        ],
    )
    def test_malformed_filters_are_refused(self, storage: Storage, bad_filter: object) -> None:
        """Unknown fields, unindexed fields and values of the wrong kind raise ValidationError."""
        tenant = prepare(storage, SAMPLE_KIT)
        with storage.unit_of_work(tenant) as uow, pytest.raises(ValidationError):
            uow.records(SAMPLE_RECORDS).find(bad_filter)


class CustomObjectContract:
    """Tenant-defined object types share one table but never each other's records or fields."""

    def test_object_types_are_kept_apart(self, storage: Storage) -> None:
        """A boat is not found, listed or changed as a vehicle; their fields are their own."""
        tenant = prepare(storage, VEHICLE_KIT)
        boats = custom_object_type("boat", "Boat")
        service = CustomFieldService(lambda: storage.unit_of_work(tenant), FixedClock(T0))
        service.define_field(boats, key="length", label="Length", kind=CustomFieldKind.NUMBER)
        car = vehicle(tenant, 4)
        boat = CustomObject.new(boats, tenant, name="Boat", now=T0, custom={"length": 12})
        with storage.unit_of_work(tenant) as uow:
            uow.records(VEHICLES).add(car)
            uow.records(boats).add(boat)
            uow.commit()
        with storage.unit_of_work(tenant) as uow:
            cars = uow.records(VEHICLES)
            assert cars.find().items == (car,)
            assert uow.records(boats).find(Equals(custom("length"), 12)).items == (boat,)
            assert cars.get_many([car.id, boat.id]) == {car.id: car}
            with pytest.raises(NotFound):
                cars.get(boat.id)
            with pytest.raises(ValidationError):
                cars.find(Equals(custom("length"), 12))  # a boat's field, not a vehicle's
            with pytest.raises(NotFound):
                cars.update(attrs.evolve(boat, object_type="vehicle", custom={}))
        with storage.unit_of_work(tenant) as uow:
            assert uow.records(boats).get(boat.id) == boat
        assert [d.key for d in service.fields_of(boats)] == ["length"]
