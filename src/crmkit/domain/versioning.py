"""The next version of a stored record, and a record with a few fields changed, without
rebuilding it.

Repositories save a record at ``version + 1``. ``attrs.evolve`` would re-run every
field's converter and validator on values the record already holds clean; a version bump
changes nothing else, so :func:`next_version` copies the fields as they are.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_FIELDS: dict[type, tuple[str, ...] | None] = {}


def next_version(record: T) -> T:
    """``attrs.evolve(record, version=record.version + 1)``, made by copying the fields of
    the attrs record ``record`` (its converters and validators are not run again). A class
    with an ``__attrs_post_init__`` or state beyond its fields is evolved."""
    kind = type(record)
    names = _FIELDS[kind] if kind in _FIELDS else _copyable(kind)
    version: int = record.version + 1  # type: ignore[attr-defined]
    if names is None:
        return attrs.evolve(record, version=version)  # type: ignore[misc]
    copy: Any = object.__new__(kind)
    put = object.__setattr__
    for name in names:
        put(copy, name, getattr(record, name))
    put(copy, "version", version)
    return copy  # type: ignore[no-any-return]


def _copyable(kind: type) -> tuple[str, ...] | None:
    """The fields to copy (all but ``version``), or ``None`` to evolve (remembered)."""
    names: tuple[str, ...] | None = None
    if attrs.has(kind) and not hasattr(kind, "__attrs_post_init__"):
        fields = tuple(f.name for f in attrs.fields(kind))
        slots = {s for k in kind.__mro__ for s in getattr(k, "__slots__", ())}
        if "version" in fields and slots <= {*fields, "__weakref__"}:
            names = tuple(name for name in fields if name != "version")
    _FIELDS[kind] = names
    return names


_PLANS: dict[type, tuple[dict[str, Any], tuple[Any, ...]] | None] = {}
"""Per record class: each field's converter (``None``: none) and the fields with a
validator, or ``None`` to evolve."""


def evolved(record: T, **changes: Any) -> T:
    """``attrs.evolve(record, **changes)``, made by copying the fields not changed as they
    are (their converters, which only normalise values already normal, are not run again)
    and converting the changed ones; every field's validator runs on the result, as in
    ``evolve`` (a validator may read other fields). A class :func:`next_version` would
    evolve, or with a field not set by ``__init__`` or a converter taking more than the
    value, is evolved; so is a change to no field of the class."""
    kind = type(record)
    plan = _PLANS[kind] if kind in _PLANS else _plan(kind)
    if plan is None or not changes.keys() <= plan[0].keys():
        return attrs.evolve(record, **changes)  # type: ignore[misc]
    converters, validated = plan
    copy: Any = object.__new__(kind)
    put = object.__setattr__
    for name, convert in converters.items():
        if name in changes:
            value = changes[name]
            put(copy, name, value if convert is None else convert(value))
        else:
            put(copy, name, getattr(record, name))
    if validated and not attrs.validators.get_disabled():
        for field in validated:
            field.validator(copy, field, getattr(copy, field.name))
    return copy  # type: ignore[no-any-return]


def _plan(kind: type) -> tuple[dict[str, Any], tuple[Any, ...]] | None:
    """The converters of ``kind``'s fields and its validated fields, or ``None`` to evolve
    (remembered)."""
    plan: tuple[dict[str, Any], tuple[Any, ...]] | None = None
    hooks = hasattr(kind, "__attrs_post_init__") or hasattr(kind, "__attrs_pre_init__")
    if attrs.has(kind) and not hooks:
        fields = attrs.fields(kind)
        slots = {s for k in kind.__mro__ for s in getattr(k, "__slots__", ())}
        if slots <= {*(f.name for f in fields), "__weakref__"} and all(
            f.init and not isinstance(f.converter, attrs.Converter) for f in fields
        ):
            plan = (
                {f.name: f.converter for f in fields},
                tuple(f for f in fields if f.validator is not None),
            )
    _PLANS[kind] = plan
    return plan
