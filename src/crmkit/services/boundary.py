"""Checks every argument of a public service call by its annotation, before any work.

A service class decorated with :func:`checked_calls` has each public method wrapped: the
arguments are checked against the method's type annotations (and, for the attrs records
handed in, against their fields' annotations), ids and request keys are cleaned the same
way on every call, so that nothing a caller hands in reaches a query, a calculation or a
fingerprint unless it has the declared type and form. Failures are
:class:`~crmkit.domain.ValidationError` whose ``field`` names the argument refused; the
domain still checks the rules of each field.

How an annotation is checked:
- ids (a ``NewType`` over ``str`` whose name ends in ``Id``, or a ``str`` parameter named
  ``*_id`` or ``order``): :func:`crmkit.domain.ids.record_id`; request keys (``key``,
  ``request_key``): :func:`crmkit.domain.requests.request_key`;
- other ``str``: text without NUL or unpaired surrogates, at most 10,000 characters;
- ``Decimal`` in a union: :func:`crmkit.domain.to_decimal` (floats, NaN and sizes refused);
- ``int``/``bool``: exactly that type (no bools for ints), ints within 64 bits;
- ``datetime``, ``date`` (not a ``datetime``), enums, attrs records: an instance of the
  class; attrs records' fields are checked recursively; an instance of a generic class
  (``RecordType[Any]``); sequences, sets, mappings and tuples element by element;
- ``object`` and ``Any``: left to the domain.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

import attrs

from crmkit.domain import CrmkitError, FloatNotAllowed, ValidationError, to_decimal
from crmkit.domain.decimals import MAX_INTEGER_DIGITS
from crmkit.domain.errors import shown
from crmkit.domain.ids import RECORD_ID_MAX_LENGTH, record_id
from crmkit.domain.requests import request_key

C = TypeVar("C", bound=type)
Check = Callable[[object, str], object]

MAX_TEXT_LENGTH = 10_000
MAX_ITEMS = 10_000
INT_BOUND = 2**63
KEY_NAMES = frozenset({"key", "request_key"})
ID_NAMES = frozenset({"id", "order"})


def checked_calls(cls: C) -> C:
    """Wrap every public method of the service class ``cls`` with argument checks."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        setattr(cls, name, _checked(member))
    return cls


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(method)
    binder = _binder(signature)
    checks: dict[str, Check] | None = None

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal checks
        if checks is None:  # resolved on first use: annotations may name later classes
            checks = _parameter_checks(method, signature)
        arguments = binder(args, kwargs) if binder is not None else None
        if arguments is None:  # a call the fast binding does not take: inspect's binding
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise ValidationError(f"{method.__name__}: {error}.") from None
            _check_arguments(checks, bound.arguments)
            return method(*bound.args, **bound.kwargs)
        _check_arguments(checks, arguments)
        return method(**arguments)

    return call


def _check_arguments(checks: dict[str, Check], arguments: dict[str, Any]) -> None:
    for name, value in arguments.items():
        check = checks.get(name)
        if check is not None:
            try:
                arguments[name] = check(value, name)
            except CrmkitError as error:
                error.details.setdefault("field", name)  # the argument refused
                raise


Binder = Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any] | None]


def _binder(signature: inspect.Signature) -> Binder | None:
    """What ``signature.bind(*args, **kwargs).arguments`` gives (the arguments given, by name,
    in the parameters' order) for a call that binds, None for any other call; None for a
    signature with positional-only or variadic parameters. Binding runs on every service
    call, and ``Signature.bind`` takes as long as pricing a few lines."""
    parameters = signature.parameters.values()
    if any(p.kind not in {p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY} for p in parameters):
        return None
    names = tuple(signature.parameters)
    positional = tuple(p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD)
    required = frozenset(p.name for p in parameters if p.default is p.empty)
    allowed = frozenset(names)

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
        if len(args) > len(positional):
            return None
        given = dict(zip(positional, args, strict=False))
        for name in kwargs:
            if name in given or name not in allowed:
                return None
        given.update(kwargs)
        if not required <= given.keys():
            return None
        return {name: given[name] for name in names if name in given}

    return bind


def _parameter_checks(method: Callable[..., Any], signature: inspect.Signature) -> dict[str, Check]:
    hints = typing.get_type_hints(method)
    return {
        name: check_for(hints[name], name)
        for name, parameter in signature.parameters.items()
        if name in hints and parameter.kind not in {parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD}
    }


def check_for(annotation: object, name: str) -> Check:  # noqa: PLR0911, PLR0912 - one per kind
    """The check of a value annotated ``annotation`` for a parameter or field ``name``."""
    origin = typing.get_origin(annotation)
    if origin in {typing.Union, types.UnionType}:
        return _union(typing.get_args(annotation), name)
    if annotation in {object, typing.Any}:
        return _anything
    supertype = getattr(annotation, "__supertype__", None)
    if supertype is str and getattr(annotation, "__name__", "").endswith("Id"):
        return record_id  # its (value, what) signature is a check's: no call in between
    if annotation is str:
        if name in KEY_NAMES:
            return _a_key
        if name in ID_NAMES or name.endswith("_id"):
            return record_id
        return _a_text
    if annotation is bool:
        return _a_bool
    if annotation is int:
        return _an_int
    if annotation is Decimal:
        return _a_number
    if origin is tuple:
        return _tuple(typing.get_args(annotation), name)
    if origin in {Mapping, dict}:
        key_type, value_type = typing.get_args(annotation)
        return _mapping(check_for(key_type, name), check_for(value_type, name))
    if origin in {Sequence, Collection, Iterable, list, frozenset, set}:
        (item_type,) = typing.get_args(annotation)
        return _items(origin, check_for(item_type, name))
    if isinstance(annotation, type):
        return _instance(annotation)
    if isinstance(origin, type):  # a generic class (``RecordType[Any]``): an instance of it
        return _plain_instance(origin)
    return _anything


def _anything(value: object, what: str) -> object:
    return value


def _refuse(what: str, expected: str, value: object) -> ValidationError:
    return ValidationError(
        f"{what} must be {expected}, not {type(value).__name__} {shown(value)}.", what=what
    )


def _a_key(value: object, what: str) -> object:
    return request_key(value)


def _a_text(value: object, what: str) -> object:
    if not isinstance(value, str):
        raise _refuse(what, "text", value)
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationError(
            f"{what} is {len(value)} characters long; at most {MAX_TEXT_LENGTH} are allowed.",
            what=what,
        )
    if "\x00" in value or (  # ASCII text has no surrogates
        not value.isascii() and any("\ud800" <= ch <= "\udfff" for ch in value)
    ):
        raise ValidationError(
            f"{what} {shown(value)} contains NUL or unpaired surrogate characters.", what=what
        )
    return value


def _a_bool(value: object, what: str) -> object:
    if not isinstance(value, bool):
        raise _refuse(what, "True or False", value)
    return value


def _an_int(value: object, what: str) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(what, "an int", value)
    if not -INT_BOUND < value < INT_BOUND:
        raise ValidationError(f"{what} {shown(value)} is out of range.", what=what)
    return value


def _a_number(value: object, what: str) -> object:
    if type(value) is Decimal and value.is_finite() and value.adjusted() < MAX_INTEGER_DIGITS:
        return value  # what to_decimal accepts as it is, without the call
    to_decimal(value, what)
    return value


def _instance(cls: type) -> Check:
    if attrs.has(cls):
        return _record(cls)
    return _plain_instance(cls)


def _plain_instance(cls: type) -> Check:
    def check(value: object, what: str) -> object:
        if isinstance(value, float) and cls is not float:
            raise FloatNotAllowed(what, value)
        if not isinstance(value, cls) or (cls is date and isinstance(value, datetime)):
            raise _refuse(what, f"a {cls.__name__}", value)
        return value

    return check


def _record(cls: type) -> Check:
    fields: dict[str, Check] | None = None

    def check(value: object, what: str) -> object:
        nonlocal fields
        if not isinstance(value, cls):
            raise _refuse(what, f"a {cls.__name__}", value)
        if fields is None:
            hints = typing.get_type_hints(cls)
            fields = {
                field.name: check_for(hints[field.name], field.name)
                for field in attrs.fields(cls)
                if field.name in hints and field.init and field.alias == field.name
            }
        changes: dict[str, object] = {}
        for name, field_check in fields.items():
            given = getattr(value, name)
            cleaned = field_check(given, f"{what}.{name}")
            if cleaned is not given and cleaned != given:
                changes[name] = cleaned
        return attrs.evolve(value, **changes) if changes else value  # type: ignore[misc]

    return check


def _union(members: tuple[object, ...], name: str) -> Check:
    allows_none = type(None) in members
    others = [member for member in members if member is not type(None)]
    if Decimal in others:  # Decimal | int | str: a number in any of its accepted forms
        number = _a_number
        return _optional(number) if allows_none else number
    checks = [check_for(member, name) for member in others]

    def check(value: object, what: str) -> object:
        first: ValidationError | None = None
        for member_check in checks:
            try:
                return member_check(value, what)
            except ValidationError as error:
                first = first or error
        assert first is not None
        raise first

    return _optional(check) if allows_none else check


def _optional(check: Check) -> Check:
    def optional(value: object, what: str) -> object:
        return None if value is None else check(value, what)

    return optional


def _tuple(members: tuple[object, ...], name: str) -> Check:
    if len(members) == 2 and members[1] is Ellipsis:
        return _items(tuple, check_for(members[0], name))
    checks = [check_for(member, name) for member in members]
    size = len(checks)

    def check(value: object, what: str) -> object:
        if not isinstance(value, tuple) or len(value) != size:
            raise _refuse(what, f"a tuple of {size} values", value)
        if size == 2:  # (id, quantity) items: as many as a document has lines
            return (checks[0](value[0], what), checks[1](value[1], what))
        return tuple(item_check(item, what) for item_check, item in zip(checks, value, strict=True))

    if size == 2:
        _PAIRS[check] = (checks[0], checks[1])
    return check


_PAIRS: dict[Check, tuple[Check, Check]] = {}
"""The member checks of each check of a pair (a 2-tuple such as an (id, quantity) item),
for :func:`_items` to apply to each plain tuple of a collection without a call between."""


_PLAIN_COLLECTIONS = frozenset({list, tuple, set, frozenset})
"""Collections that are neither text nor mappings, known without an ABC ``isinstance``."""


def _items(origin: object, item_check: Check) -> Check:
    sets = origin in {frozenset, set}
    pair = _PAIRS.get(item_check)

    def check(given: object, what: str) -> object:
        if type(given) not in _PLAIN_COLLECTIONS and (
            isinstance(given, str | bytes | bytearray | Mapping)
            or not isinstance(given, Collection)
        ):
            raise _refuse(what, "a collection of values", given)
        value = cast(Collection[object], given)
        if len(value) > MAX_ITEMS:
            raise ValidationError(f"{what} has more than {MAX_ITEMS} items.", what=what)
        if sets and not isinstance(value, set | frozenset):
            raise _refuse(what, "a set", value)
        label = f"{what} item"
        if pair is None:
            items = [item_check(item, label) for item in value]
        elif pair == _ID_AND_NUMBER:  # (id, quantity) items: the plain ones pass as they are
            first, second = pair
            items = [
                item
                if type(item) is tuple
                and len(item) == 2
                # record_id's clean id, then _a_number's in-range Decimal, inlined
                and type(key := item[0]) is str
                and 0 < len(key) <= RECORD_ID_MAX_LENGTH
                and key.isascii()
                and key.isprintable()
                and key[0] != " " != key[-1]
                and type(number := item[1]) is Decimal
                and number.is_finite()
                and number.adjusted() < MAX_INTEGER_DIGITS
                else (first(item[0], label), second(item[1], label))
                if type(item) is tuple and len(item) == 2
                else item_check(item, label)
                for item in value
            ]
        else:  # what item_check does with a plain 2-tuple, inlined
            first, second = pair
            items = [
                (first(item[0], label), second(item[1], label))
                if type(item) is tuple and len(item) == 2
                else item_check(item, label)
                for item in value
            ]
        if sets:
            return frozenset(items)
        return items if isinstance(value, list) else tuple(items)

    return check


_ID_AND_NUMBER: tuple[Check, Check] = (record_id, _a_number)
"""The member checks of an (id, number) item, whose plain items :func:`_items` passes
without a call."""


def _mapping(key_check: Check, value_check: Check) -> Check:
    def check(value: object, what: str) -> object:
        if not isinstance(value, Mapping):
            raise _refuse(what, "a mapping", value)
        if len(value) > MAX_ITEMS:
            raise ValidationError(f"{what} has more than {MAX_ITEMS} items.", what=what)
        return {
            key_check(key, f"{what} key"): value_check(item, f"{what} value")
            for key, item in value.items()
        }

    return check
