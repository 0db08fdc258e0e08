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
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


def to_data(value: object) -> Any:
    """``value`` (a record, or what a record field holds) as JSON-ready data.

    Raises:
        TypeError: a value of a kind records do not hold.
    """
    kind = type(value)
    if kind in _PLAIN:  # the common leaves first, by exact type (not str-based enums)
        return value
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(value)


_PLAIN = frozenset({str, int, bool, type(None)})
_CONVERTERS: dict[type, Callable[[Any], Any]] = {}
"""How the values of each type met so far become data (see :func:`_converter`)."""


def _converter(kind: type) -> Callable[[Any], Any]:  # noqa: PLR0911 -- one return per kind
    """How a value of ``kind`` becomes data, decided once per type, in this order: a
    decimal, an attrs record, an enum, a decimal subclass, a datetime, a tuple or list,
    another sequence, a set, a dict, a str/int/bool subclass."""
    if kind is Decimal:
        return str
    if attrs.has(kind):
        names = tuple(f.name for f in attrs.fields(kind))
        get = _getter(names)
        return lambda record: _record_data(names, get(record))
    if issubclass(kind, enum.Enum):
        return lambda value: to_data(value.value)
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, datetime):
        return lambda value: value.isoformat()
    if issubclass(kind, tuple | list) or (
        issubclass(kind, Sequence) and not issubclass(kind, str | bytes)
    ):
        return lambda value: [to_data(v) for v in value]  # or a lazy sequence (explanations)
    if issubclass(kind, frozenset | set):
        return lambda value: sorted(to_data(v) for v in value)
    if issubclass(kind, dict):
        return lambda value: {str(k): to_data(v) for k, v in value.items()}
    if issubclass(kind, str | int | bool):
        return lambda value: value
    return _refused


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function reading the attributes ``names`` of a record, as a tuple."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda record: tuple(getattr(record, n) for n in names)


def _refused(value: object) -> Any:
    raise TypeError(f"a record does not hold a {type(value).__name__}")


def data_around(record: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data of the attrs record's fields before the field ``name`` and after it, as
    ``to_data(record)`` gives them (the field ``name`` is the caller's to turn)."""
    kind = type(record)
    around = _AROUND.get((kind, name))
    if around is None:
        names = tuple(f.name for f in attrs.fields(kind))
        at = names.index(name)
        before, after = names[:at], names[at + 1 :]
        around = _AROUND[(kind, name)] = (before, _getter(before), after, _getter(after))
    before, get_before, after, get_after = around
    return _record_data(before, get_before(record)), _record_data(after, get_after(record))


_AROUND: dict[tuple[type, str], tuple[Any, ...]] = {}
"""Per record class and field: the names and getters of the fields before and after it."""


def _record_data(names: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    data = {}
    for name, field in zip(names, values, strict=True):  # the common leaves inline
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
