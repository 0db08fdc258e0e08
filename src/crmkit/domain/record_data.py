"""Domain records to JSON-ready data and back, with the standard library and attrs only.

For records a service keeps beside another (the order a keyed command returned, kept with
its request): decimals become exact strings, datetimes ISO 8601 texts, enums their values,
tuples and sets lists. :func:`from_data` rebuilds the record from its annotations.
The public JSON of records for applications is :mod:`crmkit.serialization`.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


def to_data(value: object) -> Any:  # noqa: PLR0911 -- one return per kind of value
    """``value`` (a record, or what a record field holds) as JSON-ready data.

    Raises:
        TypeError: a value of a kind records do not hold.
    """
    kind = type(value)
    if kind in _PLAIN:  # the common leaves first, by exact type (not str-based enums)
        return value
    if kind is Decimal:
        return str(value)
    names = _field_names(kind)
    if names is not None:
        return _record_data(value, names)
    if isinstance(value, enum.Enum):
        return to_data(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [to_data(v) for v in value]  # a lazy sequence (a price's explanation)
    if isinstance(value, frozenset | set):
        return sorted(to_data(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"a record does not hold a {type(value).__name__}")


_PLAIN = frozenset({str, int, bool, type(None)})


def _record_data(record: object, names: tuple[str, ...]) -> dict[str, Any]:
    data = {}
    for name in names:  # the common leaves inline, as to_data turns them
        field = getattr(record, name)
        leaf = type(field)
        if leaf in _PLAIN:
            data[name] = field
        elif leaf is Decimal:
            data[name] = str(field)
        elif leaf is datetime:
            data[name] = field.isoformat()
        else:
            data[name] = to_data(field)
    return data


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The attribute names of an attrs class, in definition order; ``None`` for others
    (remembered per class)."""
    if kind not in _FIELD_NAMES:
        _FIELD_NAMES[kind] = tuple(f.name for f in attrs.fields(kind)) if attrs.has(kind) else None
    return _FIELD_NAMES[kind]


def from_data(data: Any, cls: type[T]) -> T:
    """The record of type ``cls`` that :func:`to_data` turned into ``data``.

    Raises:
        TypeError: ``cls`` has a field of a kind records do not hold.
    """
    built: T = _build(data, cls)
    return built


def _build(data: Any, kind: Any) -> Any:  # noqa: PLR0911, PLR0912 -- one branch per kind
    supertype = getattr(kind, "__supertype__", None)
    if supertype is not None:  # a NewType such as ProductId
        return _build(data, supertype)
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in {typing.Union, types.UnionType}:
        if data is None and type(None) in args:
            return None
        (only,) = [a for a in args if a is not type(None)]
        return _build(data, only)
    if origin is tuple or origin is Sequence:
        if origin is Sequence or (len(args) == 2 and args[1] is Ellipsis):
            return tuple(_build(d, args[0]) for d in data)
        return tuple(_build(d, a) for d, a in zip(data, args, strict=True))
    if origin in {frozenset, set}:
        return frozenset(_build(d, args[0]) for d in data)
    if origin is dict:
        return {_build(k, args[0]): _build(v, args[1]) for k, v in data.items()}
    if kind is Any:
        return data
    if isinstance(kind, type) and attrs.has(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{f.alias: _build(data[f.name], hints[f.name]) for f in attrs.fields(kind) if f.init}
        )
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is Decimal:
        return Decimal(data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind in {str, int, bool}:
        return data
    raise TypeError(f"a record does not hold a {kind!r}")
