"""Conditions as JSON, and their check against a record type's fields.

The JSON form is one object per node with an ``op`` member::

    {"op": "all", "conditions": [
        {"op": "gt", "field": "discount_percent", "value": {"decimal": "20"}},
        {"op": "in", "field": "custom.region", "values": ["north", "east"]},
        {"op": "days_from_now", "field": "due_date", "compare": "le", "days": 3}]}

Texts, whole numbers and booleans are JSON values; decimals, dates and datetimes are
tagged objects (``{"decimal": "1.50"}``, ``{"date": "2026-03-01"}``,
``{"datetime": "2026-03-01T09:00:00+00:00"}``), so a round trip is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any as AnyType

from crmkit.domain.condition_nodes import (
    CUSTOM_PREFIX,
    MAX_NODES,
    ORDERING,
    All,
    AnyOf,
    Between,
    ChangedTo,
    Compare,
    Comparison,
    Condition,
    ConditionValue,
    DaysFromNow,
    In,
    InvalidCondition,
    IsEmpty,
    Not,
)
from crmkit.domain.custom_fields import CustomFieldDefinition, CustomFieldKind
from crmkit.domain.errors import shown
from crmkit.domain.records import CUSTOM_FIELD, FieldKind, RecordType

__all__ = [
    "MAX_DEPTH",
    "check_condition",
    "condition_fields",
    "condition_from_json",
    "condition_to_json",
    "record_values",
]

MAX_DEPTH = 16
MAX_VALUES = 100
MAX_TEXT = 200
MAX_DAYS = 36_600

_CUSTOM_KINDS = {
    CustomFieldKind.TEXT: FieldKind.TEXT,
    CustomFieldKind.CHOICE: FieldKind.TEXT,
    CustomFieldKind.REFERENCE: FieldKind.TEXT,
    CustomFieldKind.NUMBER: FieldKind.INTEGER,
    CustomFieldKind.DECIMAL: FieldKind.DECIMAL,
    CustomFieldKind.DATE: FieldKind.DATE,
}


def _value_to_json(value: ConditionValue) -> object:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def condition_to_json(condition: Condition) -> dict[str, object]:  # noqa: PLR0911 - one per node
    """``condition`` as a JSON-safe dict (:func:`condition_from_json` reads it back exactly)."""
    match condition:
        case Compare(field, op, value):
            return {"op": op.value, "field": field, "value": _value_to_json(value)}
        case In(field, values):
            return {"op": "in", "field": field, "values": [_value_to_json(v) for v in values]}
        case Between(field, low, high):
            return {
                "op": "between",
                "field": field,
                "low": _value_to_json(low),
                "high": _value_to_json(high),
            }
        case IsEmpty(field):
            return {"op": "is_empty", "field": field}
        case ChangedTo(field, value):
            return {"op": "changed_to", "field": field, "value": _value_to_json(value)}
        case DaysFromNow(field, op, days):
            return {"op": "days_from_now", "field": field, "compare": op.value, "days": days}
        case All(conditions) | AnyOf(conditions):
            name = "all" if isinstance(condition, All) else "any"
            return {"op": name, "conditions": [condition_to_json(c) for c in conditions]}
        case Not(inner):
            return {"op": "not", "condition": condition_to_json(inner)}
    raise InvalidCondition(f"{shown(condition)} is not a condition.")


class _Reader:
    def __init__(self) -> None:
        self.nodes = 0

    def node(self, data: object, depth: int) -> Condition:  # noqa: PLR0912 - one per node
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise InvalidCondition(
                f"a condition may have at most {MAX_NODES} parts nested {MAX_DEPTH} deep; "
                f"simplify it.",
            )
        if not isinstance(data, Mapping):
            raise InvalidCondition(f"a condition must be a JSON object, not {shown(data)}.")
        op = data.get("op")
        members = {"op"}
        result: Condition
        if op in {"all", "any"}:
            members.add("conditions")
            parts = data.get("conditions")
            if not isinstance(parts, list | tuple):
                raise InvalidCondition(f"{op!r} needs a list of conditions.", field="conditions")
            nodes = tuple(self.node(p, depth + 1) for p in parts)
            result = All(nodes) if op == "all" else AnyOf(nodes)
        elif op == "not":
            members.add("condition")
            result = Not(self.node(data.get("condition"), depth + 1))
        else:
            members.add("field")
            field = _field_name(data.get("field"))
            if op in {c.value for c in Comparison}:
                members.add("value")
                result = Compare(field, Comparison(op), _value(data, "value"))
            elif op == "in":
                members.add("values")
                raw = data.get("values")
                if not isinstance(raw, list | tuple) or not 0 < len(raw) <= MAX_VALUES:
                    raise InvalidCondition(
                        f"'in' on {field!r} needs a list of 1 to {MAX_VALUES} values.",
                        field="values",
                    )
                result = In(field, tuple(_value({"v": v}, "v") for v in raw))
            elif op == "between":
                members |= {"low", "high"}
                result = Between(field, _value(data, "low"), _value(data, "high"))
            elif op == "is_empty":
                result = IsEmpty(field)
            elif op == "changed_to":
                members.add("value")
                result = ChangedTo(field, _value(data, "value"))
            elif op == "days_from_now":
                members |= {"compare", "days"}
                result = _days(field, data)
            else:
                raise InvalidCondition(
                    f"unknown condition {shown(op)}; use eq, ne, lt, le, gt, ge, in, between, "
                    f"is_empty, changed_to, days_from_now, all, any or not.",
                    field="op",
                )
        extra = sorted(str(k) for k in data if k not in members)
        if extra:
            raise InvalidCondition(f"condition {op!r} has unknown members {extra}.", field=extra[0])
        return result


def _days(field: str, data: Mapping[AnyType, object]) -> DaysFromNow:
    compare, days = data.get("compare"), data.get("days")
    if compare not in {c.value for c in Comparison}:
        raise InvalidCondition(f"'days_from_now' on {field!r} needs a comparison.", field="compare")
    if not isinstance(days, int) or isinstance(days, bool) or abs(days) > MAX_DAYS:
        raise InvalidCondition(
            f"'days_from_now' on {field!r} needs whole days within {MAX_DAYS}.", field="days"
        )
    return DaysFromNow(field, Comparison(compare), days)


def _field_name(name: object) -> str:
    if not isinstance(name, str) or not name or len(name) > 80 or not name.isascii():
        raise InvalidCondition(f"a condition names the field {shown(name)}.", field="field")
    return name


def _value(data: Mapping[AnyType, object], member: str) -> ConditionValue:
    raw = data.get(member)
    if isinstance(raw, bool | int) and not (isinstance(raw, int) and abs(raw) >= 10**18):
        return raw
    if isinstance(raw, str) and len(raw) <= MAX_TEXT:
        return raw
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((tag, text),) = raw.items()
        if isinstance(text, str) and len(text) <= 64:
            try:
                if tag == "decimal":
                    number = Decimal(text)
                    if number.is_finite():
                        return number
                elif tag == "date":
                    return date.fromisoformat(text)
                elif tag == "datetime":
                    moment = datetime.fromisoformat(text)
                    if moment.utcoffset() is not None:
                        return moment
            except (InvalidOperation, ValueError):
                pass
    raise InvalidCondition(
        f"condition value {shown(raw)} must be text (at most {MAX_TEXT} characters), a whole "
        f"number, a boolean, or {{'decimal': '1.5'}}, {{'date': 'YYYY-MM-DD'}}, "
        f"{{'datetime': ISO with offset}}.",
        field=member,
    )


def condition_from_json(data: Mapping[str, object]) -> Condition:
    """The condition ``data`` (from :func:`condition_to_json`) describes.

    Raises:
        InvalidCondition: malformed, too large, or holding a value of no known kind.
    """
    return _Reader().node(data, 1)


# --- checking against a record type --------------------------------------------------


def condition_fields(
    record_type: RecordType[AnyType], definitions: Iterable[CustomFieldDefinition] = ()
) -> dict[str, FieldKind]:
    """The fields a condition on ``record_type`` may name: its declared scalar fields and
    ``custom.<key>`` for the tenant's active custom field definitions of the type."""
    fields = {f.name: f.kind for f in record_type.fields}
    if record_type.custom_fields:
        for d in definitions:
            if d.active and d.record_type == record_type.scope:
                fields[CUSTOM_PREFIX + d.key] = _CUSTOM_KINDS[d.kind]
    return fields


def record_values(record_type: RecordType[AnyType], record: object) -> dict[str, object]:
    """The values of ``record`` (of ``record_type``) as conditions read them."""
    values: dict[str, object] = {f.name: getattr(record, f.name) for f in record_type.fields}
    if record_type.custom_fields:
        custom: Mapping[str, object] = getattr(record, CUSTOM_FIELD)
        values.update({CUSTOM_PREFIX + k: v for k, v in custom.items()})
    return values


def _fits(kind: FieldKind, value: ConditionValue) -> bool:
    if kind is FieldKind.TEXT:
        return isinstance(value, str)
    if kind is FieldKind.BOOLEAN:
        return isinstance(value, bool)
    if kind is FieldKind.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is FieldKind.DECIMAL:
        return isinstance(value, Decimal | int) and not isinstance(value, bool)
    if kind is FieldKind.DATE:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, datetime) and value.utcoffset() is not None


def check_condition(  # noqa: PLR0912 - one branch per node
    condition: Condition, fields: Mapping[str, FieldKind]
) -> None:
    """Check that ``condition`` names only ``fields`` and compares each with its kind.

    Raises:
        InvalidCondition: an unknown field, a value of the wrong type, an ordering on a
            boolean, or date arithmetic on a field that holds no date; ``field`` names it.
    """
    match condition:
        case All(conditions) | AnyOf(conditions):
            for part in conditions:
                check_condition(part, fields)
            return
        case Not(inner):
            check_condition(inner, fields)
            return
    field: str = condition.field
    kind = fields.get(field)
    if kind is None:
        known = ", ".join(sorted(fields)[:12])
        raise InvalidCondition(
            f"the condition names the unknown field {shown(field)}; known fields: {known}.",
            field=field,
        )
    values: tuple[ConditionValue, ...] = ()
    match condition:
        case Compare(_, op, value):
            if op in ORDERING and kind is FieldKind.BOOLEAN:
                raise InvalidCondition(
                    f"{field!r} is a yes/no field; compare it with eq or ne.", field=field
                )
            values = (value,)
        case In(_, options):
            values = options
        case Between(_, low, high):
            values = (low, high)
        case ChangedTo(_, value):
            values = (value,)
        case DaysFromNow():
            if kind not in {FieldKind.DATE, FieldKind.DATETIME}:
                raise InvalidCondition(
                    f"{field!r} holds no date; days_from_now needs a date or datetime field.",
                    field=field,
                )
    for value in values:
        if not _fits(kind, value):
            raise InvalidCondition(
                f"the condition compares {field!r} ({kind.value}) with "
                f"{type(value).__name__} {shown(value)}; give a {kind.value} value.",
                field=field,
            )
