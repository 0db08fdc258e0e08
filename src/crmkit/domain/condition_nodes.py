"""The nodes of the condition language and their evaluation (see :mod:`crmkit.domain.conditions`).

Approval flows, workflow rules and business processes decide with the same conditions: a
tree of frozen nodes (field comparisons, ``In``, ``Between``, ``IsEmpty``, ``ChangedTo``,
date arithmetic against the clock, ``All``/``AnyOf``/``Not``), stored as JSON
(:mod:`crmkit.domain.condition_json`), checked against a record type when a rule is saved
(:func:`check_condition`) and evaluated here without ``eval``.

A record's values are a mapping of field name to value (``Decimal``, ``int``, ``str``,
``date``, ``datetime``, ``bool``, an enum member or ``None``); custom fields are addressed
as ``custom.<key>`` (:func:`record_values` builds the mapping from a declared record).
A missing field counts as ``None``. Ordering comparisons with an empty value, or between
values of different kinds, are false; ``Compare`` with ``ne`` is ``not eq``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeAlias, TypeGuard

import attrs

from crmkit.domain.errors import ValidationError

__all__ = [
    "CUSTOM_PREFIX",
    "MAX_NODES",
    "All",
    "Any",
    "AnyOf",
    "Between",
    "ChangedTo",
    "Compare",
    "Comparison",
    "Condition",
    "ConditionValue",
    "DaysFromNow",
    "In",
    "InvalidCondition",
    "IsEmpty",
    "Not",
    "eq",
    "evaluate",
    "fields_of",
    "ge",
    "gt",
    "is_condition",
    "le",
    "lt",
    "ne",
]

ConditionValue: TypeAlias = str | int | Decimal | bool | date | datetime
"""A value a condition compares with (never ``None``: use :class:`IsEmpty`)."""

CUSTOM_PREFIX = "custom."
MAX_NODES = 200
"""At most this many nodes in one condition."""
"""Custom fields are addressed as ``custom.<key>``."""


class InvalidCondition(ValidationError):
    """A condition names an unknown field, compares with a value of the wrong type, or is
    malformed JSON; ``field`` names the field (or the JSON member) at fault."""

    code = "invalid_condition"


class Comparison(enum.Enum):
    """How :class:`Compare` and :class:`DaysFromNow` compare a field with a value."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


ORDERING = frozenset({Comparison.LT, Comparison.LE, Comparison.GT, Comparison.GE})


@attrs.frozen
class Compare:
    """``field <op> value``, e.g. ``Compare("discount_percent", Comparison.GT, Decimal(20))``."""

    field: str
    op: Comparison
    value: ConditionValue


@attrs.frozen
class In:
    """The field equals one of ``values``."""

    field: str
    values: tuple[ConditionValue, ...]


@attrs.frozen
class Between:
    """``low <= field <= high`` (both ends included)."""

    field: str
    low: ConditionValue
    high: ConditionValue


@attrs.frozen
class IsEmpty:
    """The field has no value: ``None``, missing, or blank text."""

    field: str


@attrs.frozen
class ChangedTo:
    """The field holds ``value`` now and held something else in the previous version.

    Without a previous version (a new record) the field counts as changed when it holds
    ``value``.
    """

    field: str
    value: ConditionValue


@attrs.frozen
class DaysFromNow:
    """``field <op> now + days`` (``days`` may be negative: ``lt`` with ``-30`` is "older
    than 30 days"). Date fields compare with the clock's UTC date plus ``days``; datetime
    fields with the clock's moment plus ``days`` whole days."""

    field: str
    op: Comparison
    days: int


@attrs.frozen
class All:
    """Every condition holds (true when there are none)."""

    conditions: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    """At least one condition holds (false when there are none)."""

    conditions: tuple[Condition, ...]


@attrs.frozen
class Not:
    """The condition does not hold."""

    condition: Condition


Any = AnyOf
"""``Any`` is :class:`AnyOf` (the name the language uses in JSON: ``"any"``)."""

Condition: TypeAlias = (
    Compare | In | Between | IsEmpty | ChangedTo | DaysFromNow | All | AnyOf | Not
)
"""Any condition node."""

LEAVES = (Compare, In, Between, IsEmpty, ChangedTo, DaysFromNow)


def eq(field: str, value: ConditionValue) -> Compare:
    """``field == value``."""
    return Compare(field, Comparison.EQ, value)


def ne(field: str, value: ConditionValue) -> Compare:
    """``field != value``."""
    return Compare(field, Comparison.NE, value)


def lt(field: str, value: ConditionValue) -> Compare:
    """``field < value``."""
    return Compare(field, Comparison.LT, value)


def le(field: str, value: ConditionValue) -> Compare:
    """``field <= value``."""
    return Compare(field, Comparison.LE, value)


def gt(field: str, value: ConditionValue) -> Compare:
    """``field > value``."""
    return Compare(field, Comparison.GT, value)


def ge(field: str, value: ConditionValue) -> Compare:
    """``field >= value``."""
    return Compare(field, Comparison.GE, value)


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _family(value: object) -> str | None:
    """Which values compare with each other: numbers, texts, booleans, dates, datetimes."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return None


def _equal(left: object, right: object) -> bool:
    left, right = _plain(left), _plain(right)
    family = _family(left)
    return family is not None and family == _family(right) and left == right


def _compare(left: object, op: Comparison, right: object) -> bool:
    if op is Comparison.EQ:
        return _equal(left, right)
    if op is Comparison.NE:
        return not _equal(left, right)
    left, right = _plain(left), _plain(right)
    family = _family(left)
    if family is None or family != _family(right) or family == "bool":
        return False
    if family == "number" and not (left.is_finite() if isinstance(left, Decimal) else True):
        return False
    result: bool
    if op is Comparison.LT:
        result = left < right  # type: ignore[operator]
    elif op is Comparison.LE:
        result = left <= right  # type: ignore[operator]
    elif op is Comparison.GT:
        result = left > right  # type: ignore[operator]
    else:
        result = left >= right  # type: ignore[operator]
    return result


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def evaluate(  # noqa: PLR0911, PLR0912 - one case per node
    condition: Condition,
    values: Mapping[str, object],
    *,
    now: datetime,
    previous: Mapping[str, object] | None = None,
) -> bool:
    """Whether ``condition`` holds for a record's ``values`` at ``now``.

    ``previous`` holds the values of the record's previous version (for
    :class:`ChangedTo`); ``None`` means the record is new.
    """
    match condition:
        case Compare(field, op, value):
            return _compare(values.get(field), op, value)
        case In(field, options):
            current = values.get(field)
            return any(_equal(current, option) for option in options)
        case Between(field, low, high):
            current = values.get(field)
            return _compare(current, Comparison.GE, low) and _compare(current, Comparison.LE, high)
        case IsEmpty(field):
            return _empty(values.get(field))
        case ChangedTo(field, value):
            if not _equal(values.get(field), value):
                return False
            return previous is None or not _equal(previous.get(field), value)
        case DaysFromNow(field, op, days):
            current = _plain(values.get(field))
            target: date | datetime
            if isinstance(current, datetime):
                target = now + timedelta(days=days)
            elif isinstance(current, date):
                target = now.date() + timedelta(days=days)
            else:
                return op is Comparison.NE
            return _compare(current, op, target)
        case All(conditions):
            return all(evaluate(c, values, now=now, previous=previous) for c in conditions)
        case AnyOf(conditions):
            return any(evaluate(c, values, now=now, previous=previous) for c in conditions)
        case Not(inner):
            return not evaluate(inner, values, now=now, previous=previous)
    raise InvalidCondition(f"{condition!r} is not a condition.")


def fields_of(condition: Condition) -> frozenset[str]:
    """Every field ``condition`` reads."""
    match condition:
        case All(conditions) | AnyOf(conditions):
            return frozenset().union(*(fields_of(c) for c in conditions))
        case Not(inner):
            return fields_of(inner)
        case Compare() | In() | Between() | IsEmpty() | ChangedTo() | DaysFromNow():
            return frozenset({condition.field})
    raise InvalidCondition(f"{condition!r} is not a condition.")


def is_condition(value: object) -> TypeGuard[Condition]:
    """Whether ``value`` is a well-formed condition tree (nodes of this module all the way
    down, with field names as text), at most :data:`MAX_NODES` nodes."""
    budget = [MAX_NODES]

    def walk(node: object) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if isinstance(node, All | AnyOf):
            return isinstance(node.conditions, tuple) and all(walk(c) for c in node.conditions)
        if isinstance(node, Not):
            return walk(node.condition)
        return isinstance(node, LEAVES) and isinstance(node.field, str)

    return walk(value)
