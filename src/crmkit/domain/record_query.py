"""Finding declared records: filters, ordering and keyset cursors, checked once for all backends.

Callers give filters on a record type's indexed fields or on custom fields (named
``custom.<key>``, see :func:`custom`). :func:`plan_query` checks every value by type and
form and turns the request into a :class:`QueryPlan` that each backend runs as it is:
backends never see a value that was not checked here.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from crmkit.domain.errors import FloatNotAllowed, ValidationError
from crmkit.domain.records import Field, FieldKind, RecordType
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

Scalar = str | int | Decimal | bool | date | datetime
CUSTOM_PREFIX = "custom."
MAX_LIMIT = 500
MAX_IN_VALUES = 500
INT64 = 2**63
CUSTOM_TEXT_LENGTH = 200


def custom(key: str) -> str:
    """The name under which filters and ordering refer to the custom field ``key``."""
    return CUSTOM_PREFIX + key


@attrs.frozen
class Equals:
    """The field equals ``value``."""

    field: str
    value: object


@attrs.frozen
class OneOf:
    """The field equals one of ``values``."""

    field: str
    values: Sequence[object]


@attrs.frozen
class Between:
    """``low <= field <= high``; a missing bound is open."""

    field: str
    low: object = None
    high: object = None


@attrs.frozen
class IsEmpty:
    """The field has no value (``empty=False``: it has one)."""

    field: str
    empty: bool = True


@attrs.frozen
class StartsWith:
    """A text field starts with ``prefix`` (case-sensitive)."""

    field: str
    prefix: object


Filter = Equals | OneOf | Between | IsEmpty | StartsWith


class Op(enum.Enum):
    """What a condition asks of a field."""

    EQUALS = "equals"
    IN = "in"
    RANGE = "range"
    EMPTY = "empty"
    NOT_EMPTY = "not_empty"
    PREFIX = "prefix"
    """``values`` = (prefix, upper bound or None): prefix <= value < upper."""


@attrs.frozen
class Target:
    """A field a condition or the ordering is about."""

    name: str
    kind: FieldKind
    custom: bool = False


@attrs.frozen
class Condition:
    """One checked filter. ``values`` depends on ``op`` (RANGE: (low, high), None = open)."""

    target: Target
    op: Op
    values: tuple[Scalar | None, ...] = ()


@attrs.frozen
class QueryPlan:
    """A checked query: all conditions hold; ordered by ``order`` then the key; keyset ``after``."""

    conditions: tuple[Condition, ...]
    order: Target
    key: Target
    after: tuple[Scalar, ...] | None
    limit: int

    @property
    def ordered_by_key(self) -> bool:
        """Whether the order is the key alone."""
        return self.order == self.key


CUSTOM_STORAGE_KINDS = {
    "text": FieldKind.TEXT,
    "choice": FieldKind.TEXT,
    "reference": FieldKind.TEXT,
    "number": FieldKind.INTEGER,
    "decimal": FieldKind.DECIMAL,
    "date": FieldKind.DATE,
}
"""How each custom field kind (by value) is stored and compared."""


def check_scalar(value: object, kind: FieldKind, what: str, length: int = 200) -> Scalar:
    """``value`` checked (and cleaned) as a value of ``kind``.

    Raises:
        ValidationError: the value has another type or form.
    """
    if isinstance(value, float):
        raise FloatNotAllowed(what, value)
    if isinstance(value, enum.Enum):
        value = value.value
    if kind is FieldKind.TEXT:
        return clean_text(value, what, max_length=length)
    if kind is FieldKind.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        if not -INT64 <= value < INT64:
            raise ValidationError(f"{what} {value} is outside the 64-bit integer range.")
        return value
    if (
        kind is FieldKind.DECIMAL
        and isinstance(value, Decimal | int)
        and not isinstance(value, bool)
    ):
        number = Decimal(value)
        if not number.is_finite():
            raise ValidationError(f"{what} must be a finite number, not {number}.")
        return number
    if kind is FieldKind.BOOLEAN and isinstance(value, bool):
        return value
    if kind is FieldKind.DATE and isinstance(value, date) and not isinstance(value, datetime):
        return value
    if kind is FieldKind.DATETIME and isinstance(value, datetime):
        return utc_millis(value)
    raise ValidationError(
        f"{what} must be a {kind.value}, not {type(value).__name__} {value!r}.", what=what
    )


def plan_query(
    record_type: RecordType[Any],
    custom_kinds: Mapping[str, str],
    filters: Sequence[object],
    *,
    order_by: str | None,
    after: str | None,
    limit: int,
) -> QueryPlan:
    """Check a find request against the declaration and the tenant's custom fields.

    ``custom_kinds`` maps each active custom field's key to its kind (``"number"``...).

    Raises:
        ValidationError: an unknown or unindexed field, a value of the wrong type, a bad
            limit, or a cursor that was not made for this listing.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be an integer from 1 to {MAX_LIMIT}, not {limit!r}.")
    entity = record_type.entity
    conditions = tuple(_condition(record_type, custom_kinds, f) for f in filters)
    key_field = record_type.field(record_type.key)
    key = Target(key_field.name, key_field.kind)
    order = key if order_by is None else _target(record_type, custom_kinds, order_by, True)
    if order.custom:  # records without a value have no place in this order
        conditions += (Condition(order, Op.NOT_EMPTY),)
    targets = [key] if order == key else [order, key]
    cursor = None
    if after is not None:
        raw = decode_cursor(after, [t.kind for t in targets], entity)
        try:
            cursor = tuple(
                checked_value(record_type, t, v, "cursor value")
                for t, v in zip(targets, raw, strict=True)
            )
        except ValidationError:
            raise _bad_cursor(after, entity) from None
    return QueryPlan(conditions, order, key, cursor, limit)


def _target(
    record_type: RecordType[Any], custom_kinds: Mapping[str, str], name: object, order: bool
) -> Target:
    entity = record_type.entity
    if not isinstance(name, str):
        raise ValidationError(f"a field name of {entity} must be text, not {name!r}.")
    if name.startswith(CUSTOM_PREFIX):
        key = name[len(CUSTOM_PREFIX) :]
        if key not in custom_kinds:
            raise ValidationError(
                f"{entity} has no custom field {key!r}; define it first or check the key.",
                field=name,
            )
        return Target(key, CUSTOM_STORAGE_KINDS[custom_kinds[key]], custom=True)
    declared = record_type.declared(name)
    if declared is None or not (declared.indexed or declared.name == record_type.key):
        usable = [*sorted(f.name for f in record_type.fields if f.indexed), record_type.key]
        raise ValidationError(
            f"{entity} cannot be filtered or ordered by {name!r}; use one of {usable} or a "
            f"custom field ('custom.<key>').",
            field=name,
        )
    if order and declared.nullable:
        raise ValidationError(f"{entity} cannot be ordered by {name!r}: it may be empty.")
    return Target(declared.name, declared.kind)


CUSTOM_DECIMAL = Field("custom", FieldKind.DECIMAL, precision=18, scale=6)
"""How custom decimals are stored for lookups (see domain.custom_fields)."""


def checked_value(record_type: RecordType[Any], target: Target, value: object, what: str) -> Scalar:
    """``value`` checked as a value ``target`` can be compared with on every backend.

    Raises:
        ValidationError: wrong type, too long, or a decimal the field cannot hold.
    """
    declared: Field = CUSTOM_DECIMAL if target.custom else record_type.field(target.name)
    length = CUSTOM_TEXT_LENGTH if target.custom else declared.length
    checked = check_scalar(value, target.kind, what, length)
    if isinstance(checked, Decimal):
        step = Decimal(1).scaleb(-declared.scale)
        limit = Decimal(10) ** (declared.precision - declared.scale)
        if checked != checked.quantize(step) or abs(checked) >= limit:
            raise ValidationError(
                f"{what} {checked} has more than {declared.scale} decimals or is too large to "
                f"compare with the stored values.",
            )
    return checked


def _condition(
    record_type: RecordType[Any], custom_kinds: Mapping[str, str], given: object
) -> Condition:
    if not isinstance(given, Equals | OneOf | Between | IsEmpty | StartsWith):
        raise ValidationError(
            f"{given!r} is not a filter; use Equals, OneOf, Between, IsEmpty or StartsWith."
        )
    target = _target(record_type, custom_kinds, given.field, False)
    what = f"filter value of {record_type.entity} field {given.field!r}"
    length = CUSTOM_TEXT_LENGTH if target.custom else record_type.field(target.name).length

    def checked(value: object) -> Scalar:
        return checked_value(record_type, target, value, what)

    if isinstance(given, Equals):
        return Condition(target, Op.EQUALS, (checked(given.value),))
    if isinstance(given, OneOf):
        if isinstance(given.values, str | bytes) or not isinstance(given.values, Sequence):
            raise ValidationError(f"OneOf on {given.field!r} needs a list of values.")
        if not 1 <= len(given.values) <= MAX_IN_VALUES:
            raise ValidationError(
                f"OneOf on {given.field!r} needs 1 to {MAX_IN_VALUES} values, not "
                f"{len(given.values)}."
            )
        return Condition(target, Op.IN, tuple(dict.fromkeys(checked(v) for v in given.values)))
    if isinstance(given, Between):
        low = None if given.low is None else checked(given.low)
        high = None if given.high is None else checked(given.high)
        return Condition(target, Op.RANGE, (low, high))
    if isinstance(given, IsEmpty):
        if not isinstance(given.empty, bool):
            raise ValidationError(f"IsEmpty on {given.field!r} needs empty=True or False.")
        return Condition(target, Op.EMPTY if given.empty else Op.NOT_EMPTY)
    if target.kind is not FieldKind.TEXT:
        raise ValidationError(f"StartsWith needs a text field; {given.field!r} is not one.")
    prefix = clean_text(given.prefix, what, max_length=length)
    return Condition(target, Op.PREFIX, (prefix, prefix_upper_bound(prefix)))


def prefix_upper_bound(prefix: str) -> str | None:
    """The least text greater than every text starting with ``prefix`` (code point order).

    ``None`` if there is none (the prefix is all U+10FFFF). Lets every backend find a
    prefix with an index range instead of LIKE, whose case rules differ between servers.
    """
    chars = list(prefix)
    while chars:
        last = ord(chars.pop()) + 1
        if 0xD800 <= last <= 0xDFFF:  # surrogates cannot be stored; skip past them
            last = 0xE000
        if last <= 0x10FFFF:
            return "".join(chars) + chr(last)
    return None


_TAGS: dict[FieldKind, str] = {
    FieldKind.TEXT: "s",
    FieldKind.INTEGER: "i",
    FieldKind.DECIMAL: "d",
    FieldKind.BOOLEAN: "b",
    FieldKind.DATE: "D",
    FieldKind.DATETIME: "T",
}


def _encode(value: Scalar) -> object:
    if isinstance(value, bool | int | str):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)


def _decode(raw: object, kind: FieldKind) -> Scalar:
    if kind is FieldKind.DECIMAL and isinstance(raw, str):
        return Decimal(raw)
    if kind is FieldKind.DATE and isinstance(raw, str):
        return date.fromisoformat(raw)
    if kind is FieldKind.DATETIME and isinstance(raw, str):
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError(raw)
        return moment.astimezone(UTC)
    if kind in {FieldKind.TEXT, FieldKind.INTEGER, FieldKind.BOOLEAN}:
        return check_scalar(raw, kind, "cursor value", length=10_000)
    raise ValueError(raw)


def encode_cursor(values: Sequence[Scalar], kinds: Sequence[FieldKind]) -> str:
    """An opaque cursor continuing after a record whose sort values are ``values``."""
    payload = [[_TAGS[k], _encode(v)] for v, k in zip(values, kinds, strict=True)]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: object, kinds: Sequence[FieldKind], entity: str) -> tuple[Scalar, ...]:
    """The sort values in a cursor made by :func:`encode_cursor` for this order.

    Raises:
        ValidationError: the cursor was not made by crmkit for this listing.
    """
    try:
        if not isinstance(cursor, str):
            raise ValueError(cursor)
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(payload, list) or len(payload) != len(kinds):
            raise ValueError(cursor)
        values = []
        for item, kind in zip(payload, kinds, strict=True):
            if not (isinstance(item, list) and len(item) == 2 and item[0] == _TAGS[kind]):
                raise ValueError(cursor)
            values.append(_decode(item[1], kind))
        return tuple(values)
    except (binascii.Error, UnicodeDecodeError, ValueError, InvalidOperation, ValidationError):
        raise _bad_cursor(cursor, entity) from None


def _bad_cursor(cursor: object, entity: str) -> ValidationError:
    return ValidationError(
        f"cursor {cursor!r} is not a cursor of this {entity} listing; pass the "
        f"next_cursor of the previous page unchanged, or none for the first page.",
    )
