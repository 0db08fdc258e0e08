"""The generic contract every declared record type gets on every backend.

Subclass :class:`RecordTypeContract` in a test module that provides three fixtures:
``storage`` (a :class:`Storage` whose tables or collections for the kits' types exist),
``record_kit`` (a :class:`~crmkit.testing.record_kits.RecordKit`) and ``examples`` (the
hypothesis budget for that backend). The kits in :data:`~crmkit.testing.record_kits.KITS`
include test-only types: create their tables with ``record_table(t, MetaData())`` and
``create_all`` (SQL) or ``ensure_record_collection(database, t)`` (MongoDB) for each ``t``
in :data:`~crmkit.testing.record_kits.TEST_TYPES`, as ``tests/contracts/test_records.py``
does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    NotFound,
    TenantId,
    ValidationError,
    WrongTenant,
)
from crmkit.services import Storage
from crmkit.testing.contracts.record_support import (
    everything,
    filters_for,
    keys_of,
    one_record,
    prepare,
    reference,
    store_all,
    unique_functions,
    walk,
)
from crmkit.testing.contracts.support import canonical
from crmkit.testing.record_kits import RecordKit
from crmkit.testing.tenants import fresh_tenant

Kit = RecordKit[Any]


def budget(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for a contract test run on a shared, slow-ish fixture."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


class RecordTypeContract:
    """Every backend stores, finds, pages and guards every declared record type the same way."""

    def test_records_load_back_identical(
        self, storage: Storage, record_kit: Kit, examples: int
    ) -> None:
        """Any valid record loads back identical by key, in bulk and through find."""

        @budget(examples)
        @given(data=st.data())
        def round_trip(data: st.DataObject) -> None:
            tenant = prepare(storage, record_kit)
            record = data.draw(record_kit.records(tenant))
            store_all(storage, record_kit, [record])
            key = keys_of(record_kit, [record])[0]
            with storage.unit_of_work(tenant) as uow:
                repo = uow.records(record_kit.record_type)
                assert canonical(repo.get(key)) == canonical(record)
                assert canonical(repo.get_many([key, "missing"])) == canonical({key: record})
                assert canonical(repo.find().items) == canonical((record,))

        round_trip()

    def test_finding_pages_through_what_a_brute_force_reference_finds(
        self, storage: Storage, record_kit: Kit, examples: int
    ) -> None:
        """Filters, ordering and keyset pages agree with filtering and sorting in Python."""

        @budget(examples)
        @given(data=st.data())
        def agree(data: st.DataObject) -> None:
            tenant = prepare(storage, record_kit)
            records = data.draw(
                st.lists(
                    record_kit.records(tenant),
                    max_size=7,
                    unique_by=unique_functions(record_kit),
                )
            )
            store_all(storage, record_kit, records)
            filters, order_by = data.draw(filters_for(record_kit, records))
            limit = data.draw(st.integers(1, 4))
            found = walk(storage, tenant, record_kit, filters, order_by=order_by, limit=limit)
            expected = reference(record_kit, records, filters, order_by)
            assert keys_of(record_kit, found) == keys_of(record_kit, expected)

        agree()

    def test_a_taken_key_is_refused(self, storage: Storage, record_kit: Kit) -> None:
        """Adding a record whose key is taken raises DuplicateRecord naming the key."""
        tenant, record = one_record(storage, record_kit)
        key = record_kit.record_type.key
        other = _another(storage, record_kit, tenant, record)
        clash = attrs.evolve(other, **{key: getattr(record, key)})
        with pytest.raises(DuplicateRecord) as raised:
            store_all(storage, record_kit, [clash])
        assert raised.value.details["key"] == record_kit.record_type.key
        assert canonical(everything(storage, tenant, record_kit)) == canonical([record])

    def test_a_taken_unique_key_is_refused(self, storage: Storage, record_kit: Kit) -> None:
        """A second record with the same unique values is refused, by add and by update."""
        tenant, record = one_record(storage, record_kit)
        for names in record_kit.record_type.unique:
            taken = {n: getattr(record, n) for n in names}
            other = _another(storage, record_kit, tenant, record)
            with pytest.raises(DuplicateRecord) as raised:
                store_all(storage, record_kit, [attrs.evolve(other, **taken)])
            assert raised.value.details["key"] == ", ".join(names)
            store_all(storage, record_kit, [other])
            with storage.unit_of_work(tenant) as uow, pytest.raises(DuplicateRecord):
                uow.records(record_kit.record_type).update(attrs.evolve(other, **taken))
            expected = sorted([record, other], key=lambda r: keys_of(record_kit, [r]))
            assert canonical(everything(storage, tenant, record_kit)) == canonical(expected)

    def test_of_two_writers_from_one_version_the_second_conflicts(
        self, storage: Storage, record_kit: Kit
    ) -> None:
        """An update from a stale version raises ConcurrencyConflict; the first write stays."""
        tenant, record = one_record(storage, record_kit)
        with storage.unit_of_work(tenant) as uow:
            saved = uow.records(record_kit.record_type).update(record)
            uow.commit()
        assert saved.version == record.version + 1
        with storage.unit_of_work(tenant) as uow, pytest.raises(ConcurrencyConflict):
            uow.records(record_kit.record_type).update(record)
        assert canonical(everything(storage, tenant, record_kit)) == canonical([saved])

    def test_unknown_records_are_not_found(self, storage: Storage, record_kit: Kit) -> None:
        """Reading or updating an unknown key raises NotFound naming the record type."""
        tenant = prepare(storage, record_kit)
        with storage.unit_of_work(tenant) as uow:
            repo = uow.records(record_kit.record_type)
            with pytest.raises(NotFound) as raised:
                repo.get("missing")
            assert raised.value.details["entity"] == record_kit.record_type.entity
        _, record = one_record(storage, record_kit, tenant)
        ghost = attrs.evolve(record, **{record_kit.record_type.key: "ghost"})
        with storage.unit_of_work(tenant) as uow, pytest.raises(NotFound):
            uow.records(record_kit.record_type).update(ghost)
        assert canonical(everything(storage, tenant, record_kit)) == canonical([record])

    def test_tenants_never_see_each_others_records(self, storage: Storage, record_kit: Kit) -> None:
        """Another tenant's record is not found, not listed, not writable, and stays as it was."""
        owner, record = one_record(storage, record_kit)
        stranger = prepare(storage, record_kit)
        key = keys_of(record_kit, [record])[0]
        with storage.unit_of_work(stranger) as uow:
            repo = uow.records(record_kit.record_type)
            with pytest.raises(NotFound):
                repo.get(key)
            assert repo.get_many([key]) == {}
            assert repo.find().items == ()
            with pytest.raises(WrongTenant):
                repo.add(record)
            with pytest.raises(WrongTenant):
                repo.update(record)
        assert canonical(everything(storage, owner, record_kit)) == canonical([record])
        assert everything(storage, stranger, record_kit) == []

    @pytest.mark.parametrize("bad", [7, None, {"$gt": ""}, ["x"], "", " " * 3, "x" * 129])
    def test_malformed_keys_are_refused(
        self, storage: Storage, record_kit: Kit, bad: object
    ) -> None:
        """Keys that are not short clean text raise ValidationError before any query."""
        tenant = fresh_tenant()
        with storage.unit_of_work(tenant) as uow:
            repo = uow.records(record_kit.record_type)
            with pytest.raises(ValidationError):
                repo.get(bad)
            with pytest.raises(ValidationError):
                repo.get_many([bad])

    @pytest.mark.parametrize(
        "bad_query",
        [
            {"order_by": "no_such_field"},
            {"limit": 0},
            {"limit": 501},
            {"after": "bm90IGEgY3Vyc29y"},
            {"after": 5},
        ],
    )
    def test_malformed_queries_are_refused(
        self, storage: Storage, record_kit: Kit, bad_query: dict[str, Any]
    ) -> None:
        """Unknown fields, bad limits and forged cursors raise ValidationError."""
        tenant = fresh_tenant()
        with storage.unit_of_work(tenant) as uow, pytest.raises(ValidationError):
            uow.records(record_kit.record_type).find(**bad_query)

    def test_a_rejected_write_rolls_the_unit_of_work_back(
        self, storage: Storage, record_kit: Kit
    ) -> None:
        """A duplicate in a unit of work discards its earlier writes too, on every backend."""
        tenant, record = one_record(storage, record_kit)
        other = _another(storage, record_kit, tenant, record)
        with storage.unit_of_work(tenant) as uow:
            repo = uow.records(record_kit.record_type)
            repo.add(other)
            with pytest.raises(DuplicateRecord):
                repo.add(record)
            uow.commit()
        assert canonical(everything(storage, tenant, record_kit)) == canonical([record])


def _another(storage: Storage, kit: Kit, tenant: TenantId, record: Any) -> Any:
    """A record of ``tenant`` differing from ``record`` in its key and every unique key."""
    taken: Sequence[Any] = [f(record) for f in unique_functions(kit)]
    for _ in range(100):
        _, other = one_record(storage, kit, tenant, store=False)
        if all(f(other) != t for f, t in zip(unique_functions(kit), taken, strict=True)):
            return other
    raise AssertionError("could not draw a record with other unique values")
