"""Record kits of the front office's declared types, for the generic record contract.

Records are drawn field by field from each declaration (enums from the attribute's
type, nullable fields sometimes empty); nested parts and custom values per type.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from crmkit.domain import TenantId, new_id
from crmkit.domain.custom_fields import CustomFieldKind
from crmkit.domain.front_office.opportunities import Stage
from crmkit.domain.front_office.types import FRONT_OFFICE_TYPES
from crmkit.domain.records import CUSTOM_FIELD, Field, FieldKind, RecordType
from crmkit.testing.record_kits import T0, RecordKit, custom_value, small_texts, timestamps

FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "score", "kind": CustomFieldKind.NUMBER},
    {"key": "budget", "kind": CustomFieldKind.DECIMAL, "decimal_places": 2},
    {"key": "tier", "kind": CustomFieldKind.CHOICE, "choices": ("gold", "silver", "铜")},
    {"key": "remark", "kind": CustomFieldKind.TEXT},
    {"key": "since", "kind": CustomFieldKind.DATE},
)
"""Custom fields the contract defines on every front-office type that takes them."""

_IDS = st.sampled_from(["u1", "u2", "u10"]) | st.uuids().map(lambda u: u.hex)
_STAGES = st.builds(
    Stage,
    code=small_texts(32),
    name=small_texts(200),
    win_percent=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    required_fields=st.lists(small_texts(20), max_size=2).map(tuple),
)
NESTED: dict[str, st.SearchStrategy[Any]] = {
    "groups": st.frozensets(small_texts(64), max_size=3),
    "roles": st.frozensets(small_texts(40), max_size=3),
    "members": st.lists(_IDS, max_size=4, unique=True).map(tuple),
    "stages": st.lists(_STAGES, min_size=1, max_size=3).map(tuple),
}
NESTED_EXAMPLES: dict[str, Any] = {
    "groups": frozenset({"dealer", "east"}),
    "roles": frozenset({"buyer"}),
    "members": ("u1", "u2"),
    "stages": (Stage("enquiry", "Enquiry", Decimal("10")), Stage("won", "Won", Decimal(100))),
}


def _enum_of(record_type: RecordType[Any], name: str) -> type[enum.Enum] | None:
    kind = record_type.attribute_types()[name]
    candidates = getattr(kind, "__args__", (kind,))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def _values(record_type: RecordType[Any], field: Field) -> st.SearchStrategy[Any]:
    members = _enum_of(record_type, field.name)
    if field.name == record_type.key:
        return st.uuids().map(lambda u: u.hex)
    base: st.SearchStrategy[Any]
    if members is not None:
        base = st.sampled_from(list(members))
    elif field.kind is FieldKind.TEXT:
        base = small_texts(field.length)
    elif field.kind is FieldKind.INTEGER:
        base = st.integers(-(2**63), 2**63 - 1) | st.integers(-12, 12)
    elif field.kind is FieldKind.DECIMAL:
        top = 10 ** (field.precision) - 1
        base = (st.integers(-top, top) | st.integers(-999, 999)).map(
            lambda n: Decimal(n).scaleb(-field.scale)
        )
    elif field.kind is FieldKind.BOOLEAN:
        base = st.booleans()
    elif field.kind is FieldKind.DATE:
        base = st.dates(date(1900, 1, 1), date(2199, 12, 31))
    else:
        base = timestamps()
    return st.none() | base if field.nullable else base


def records_of(
    record_type: RecordType[Any], nested: dict[str, st.SearchStrategy[Any]] | None = None
) -> Any:
    """A strategy of any valid record of ``record_type`` for a tenant (``nested``: strategies
    of its nested parts, :data:`NESTED` by default)."""
    parts = NESTED if nested is None else nested

    @st.composite
    def draw_record(draw: st.DrawFn, tenant_id: TenantId) -> Any:
        values: dict[str, Any] = {"tenant_id": tenant_id}
        for field in record_type.fields:
            values[field.name] = draw(_values(record_type, field))
        for name in record_type.nested:
            values[name] = draw(parts[name])
        if record_type.custom_fields:
            chosen = draw(st.lists(st.sampled_from(FIELDS), unique_by=lambda f: f["key"]))
            custom = {f["key"]: draw(custom_value(f["kind"], f)) for f in chosen}
            values[CUSTOM_FIELD] = dict(sorted(custom.items()))
        values["version"] = draw(st.integers(1, 2**31 - 1))
        return record_type.record_class(**values)

    return draw_record


def example_of(record_type: RecordType[Any], nested: dict[str, Any] | None = None) -> Any:
    """The ``n``-th plain record of ``record_type`` (distinct key and unique values per n;
    ``nested``: its nested parts, :data:`NESTED_EXAMPLES` by default)."""
    parts = NESTED_EXAMPLES if nested is None else nested

    def make(tenant_id: TenantId, n: int) -> Any:
        values: dict[str, Any] = {"tenant_id": tenant_id}
        for field in record_type.fields:
            members = _enum_of(record_type, field.name)
            if field.name == record_type.key:
                value: Any = new_id()
            elif members is not None:
                value = list(members)[n % len(members)]
            elif field.kind is FieldKind.TEXT:
                value = f"{field.name[:8]}-{n}"[: field.length]
            elif field.kind is FieldKind.INTEGER:
                value = n
            elif field.kind is FieldKind.DECIMAL:
                value = Decimal(n).scaleb(-field.scale)
            elif field.kind is FieldKind.BOOLEAN:
                value = n % 2 == 0
            elif field.kind is FieldKind.DATE:
                value = date(2026, 1, 1 + n % 28)
            else:
                value = T0
            values[field.name] = value
        for name in record_type.nested:
            values[name] = parts[name]
        if record_type.custom_fields:
            values[CUSTOM_FIELD] = {"score": n, "tier": "gold"}
        return record_type.record_class(**values)

    return make


FRONT_OFFICE_KITS: dict[str, RecordKit[Any]] = {
    t.name: RecordKit(t, records_of(t), example_of(t), FIELDS if t.custom_fields else ())
    for t in FRONT_OFFICE_TYPES
}
"""A kit for every front-office record type, by type name."""
