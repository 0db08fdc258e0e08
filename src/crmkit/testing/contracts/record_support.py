"""Helpers of the generic record contract: storing, walking pages, and the reference."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from crmkit.domain import TenantId
from crmkit.domain.custom_fields import CUSTOM_FIELD_DEFINITIONS, CustomFieldDefinition
from crmkit.domain.record_query import (
    Between,
    Equals,
    IsEmpty,
    OneOf,
    StartsWith,
    custom,
)
from crmkit.domain.records import FieldKind
from crmkit.services import Storage
from crmkit.testing.record_kits import T0, RecordKit
from crmkit.testing.tenants import fresh_tenant

Kit = RecordKit[Any]
MAX_PAGES = 50
_NUMBERS = itertools.count(1)


def prepare(storage: Storage, kit: Kit, tenant: TenantId | None = None) -> TenantId:
    """A fresh tenant (unless given) with the kit's custom fields defined."""
    tenant = tenant or fresh_tenant()
    if kit.custom_fields or kit.setup:
        with storage.unit_of_work(tenant) as uow:
            if kit.setup is not None:
                kit.setup(uow, tenant)
            definitions = uow.records(CUSTOM_FIELD_DEFINITIONS)
            for field in kit.custom_fields:
                definitions.add(
                    CustomFieldDefinition.new(
                        tenant,
                        record_type=kit.record_type.scope,
                        label=field["key"].title(),
                        now=T0,
                        **field,
                    )
                )
            uow.commit()
    return tenant


def store_all(storage: Storage, kit: Kit, records: list[Any]) -> None:
    """Add and commit ``records`` (of one tenant) in one unit of work."""
    if not records:
        return
    with storage.unit_of_work(records[0].tenant_id) as uow:
        repo = uow.records(kit.record_type)
        for record in records:
            repo.add(record)
        uow.commit()


def one_record(
    storage: Storage, kit: Kit, tenant: TenantId | None = None, *, store: bool = True
) -> tuple[TenantId, Any]:
    """A plain record of a prepared tenant (a fresh one unless given), stored unless not."""
    if tenant is None:
        tenant = prepare(storage, kit)
    record = kit.example(tenant, next(_NUMBERS))
    if store:
        store_all(storage, kit, [record])
    return tenant, record


def everything(storage: Storage, tenant: TenantId, kit: Kit) -> list[Any]:
    """Every record of the kit's type in the tenant, by key, as committed."""
    return walk(storage, tenant, kit, [], order_by=None, limit=100)


def walk(
    storage: Storage,
    tenant: TenantId,
    kit: Kit,
    filters: list[object],
    *,
    order_by: str | None,
    limit: int,
) -> list[Any]:
    """All pages of a find, each in its own unit of work, following the cursors."""
    found: list[Any] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        with storage.unit_of_work(tenant) as uow:
            page = uow.records(kit.record_type).find(
                *filters, order_by=order_by, after=cursor, limit=limit
            )
        assert len(page.items) <= limit
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor
    raise AssertionError(f"more than {MAX_PAGES} pages")


def keys_of(kit: Kit, records: list[Any]) -> list[str]:
    """The keys of ``records``, in their order."""
    return [getattr(r, kit.record_type.key) for r in records]


def unique_functions(kit: Kit) -> tuple[Callable[[Any], Any], ...]:
    """Functions giving a record's key and each of its unique key values."""

    def of(names: tuple[str, ...]) -> Callable[[Any], Any]:
        return lambda r: tuple(_plain(getattr(r, n)) for n in names)

    return (of((kit.record_type.key,)), *(of(names) for names in kit.record_type.unique))


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def value_of(record: Any, field: str) -> Any:
    """A record's value of a declared field or of ``custom.<key>`` (None if empty)."""
    if field.startswith("custom."):
        values: dict[str, Any] = record.custom
        return values.get(field.removeprefix("custom."))
    return _plain(getattr(record, field))


def _holds(record: Any, given: object) -> bool:
    assert isinstance(given, Equals | OneOf | Between | IsEmpty | StartsWith)
    value = value_of(record, given.field)
    if isinstance(given, IsEmpty):
        return (value is None) == given.empty
    if value is None:
        return False
    if isinstance(given, Equals):
        return bool(value == _plain(given.value))
    if isinstance(given, OneOf):
        return value in [_plain(v) for v in given.values]
    if isinstance(given, StartsWith):
        return bool(value.startswith(given.prefix))
    return (given.low is None or value >= given.low) and (given.high is None or value <= given.high)


def reference(
    kit: Kit, records: list[Any], filters: list[object], order_by: str | None
) -> list[Any]:
    """What a find must return, computed by brute force in Python."""
    key = kit.record_type.key
    kept = [r for r in records if all(_holds(r, f) for f in filters)]
    if order_by is None:
        return sorted(kept, key=lambda r: getattr(r, key))
    kept = [r for r in kept if value_of(r, order_by) is not None]
    return sorted(kept, key=lambda r: (value_of(r, order_by), getattr(r, key)))


def _fields(kit: Kit) -> list[tuple[str, FieldKind, bool]]:
    """(name, kind, orderable) of every field a find may use."""
    declared = kit.record_type
    usable = [
        (f.name, f.kind, not f.nullable)
        for f in declared.fields
        if f.indexed or f.name == declared.key
    ]
    kinds = {"number": FieldKind.INTEGER, "decimal": FieldKind.DECIMAL, "date": FieldKind.DATE}
    usable += [
        (custom(f["key"]), kinds.get(f["kind"].value, FieldKind.TEXT), True)
        for f in kit.custom_fields
    ]
    return usable


@st.composite
def filters_for(draw: st.DrawFn, kit: Kit, records: list[Any]) -> tuple[list[object], str | None]:
    """Up to two filters on values the records hold (or nearby), and an order."""
    fields = _fields(kit)
    filters: list[object] = []
    for _ in range(draw(st.integers(0, 2))):
        name, kind, _ = draw(st.sampled_from(fields))
        present = [v for v in (value_of(r, name) for r in records) if v is not None]
        if not present or draw(st.integers(0, 5)) == 0:
            filters.append(IsEmpty(name, draw(st.booleans())))
            continue
        value = draw(st.sampled_from(present))
        other = draw(st.sampled_from(present))
        low, high = sorted([value, other])
        choices: list[object] = [
            Equals(name, value),
            OneOf(name, [value, other]),
            Between(name, low, high),
            Between(name, low, None),
            Between(name, None, high),
        ]
        if kind is FieldKind.TEXT:
            cut = draw(st.integers(1, len(value)))
            prefix = value[:cut]
            if prefix.strip() == prefix:
                choices.append(StartsWith(name, prefix))
        filters.append(draw(st.sampled_from(choices)))
    orderable = [name for name, _, can in fields if can]
    order_by = draw(st.none() | st.sampled_from(orderable))
    return filters, order_by
