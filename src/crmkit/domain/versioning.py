"""The next version of a stored record, and a record with a few fields changed, without
rebuilding it.

Repositories save a record at ``version + 1``. ``attrs.evolve`` would re-run every
field's converter and validator on values the record already holds clean; a version bump
changes nothing else, so :func:`next_version` copies the fields as they are.

Both copy through a small function made once per record class (and, for
:func:`evolved`, per set of changed fields), as attrs makes each class's ``__init__``:
one line per field, each writing the field's slot directly, where a loop over the fields
spent more on the loop than on the copy.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

Maker = Callable[..., Any]

_BUMPS: dict[type, Maker | None] = {}
"""Per record class: the function making its next version, or ``None`` to evolve."""
_MAKERS: dict[tuple[Any, ...], Maker | None] = {}
"""Per record class and changed field names (in the order given): the function making
the changed copy, or ``None`` to evolve."""


def next_version(record: T) -> T:
    """``attrs.evolve(record, version=record.version + 1)``, made by copying the fields of
    the attrs record ``record`` (its converters and validators are not run again). A class
    with an ``__attrs_post_init__`` or state beyond its fields is evolved."""
    kind = type(record)
    bump = _BUMPS[kind] if kind in _BUMPS else _bump_of(kind)
    if bump is None:
        return attrs.evolve(record, version=record.version + 1)  # type: ignore[attr-defined, misc]
    return bump(record)  # type: ignore[no-any-return]


def evolved(record: T, **changes: Any) -> T:
    """``attrs.evolve(record, **changes)``, made by copying the fields not changed as they
    are (their converters, which only normalise values already normal, are not run again)
    and converting the changed ones; every field's validator runs on the result, as in
    ``evolve`` (a validator may read other fields). A class :func:`next_version` would
    evolve, or with a field not set by ``__init__`` under its own name or a converter
    taking more than the value, is evolved; so is a change to no field of the class."""
    key = (type(record), *changes)
    make = _MAKERS[key] if key in _MAKERS else _maker_of(key)
    if make is None:
        return attrs.evolve(record, **changes)  # type: ignore[misc]
    return make(record, changes)  # type: ignore[no-any-return]


def _fields(kind: type) -> tuple[Any, ...] | None:
    """The attrs fields of ``kind`` if its records can be copied field by field: no init
    hooks, no state beyond the fields, every field set by ``__init__`` under its own name
    (an identifier) with at most a one-argument converter; else ``None``."""
    if not attrs.has(kind) or any(
        hasattr(kind, hook) for hook in ("__attrs_post_init__", "__attrs_pre_init__")
    ):
        return None
    fields = attrs.fields(kind)
    slots = {s for k in kind.__mro__ for s in getattr(k, "__slots__", ())}
    if not slots <= {*(f.name for f in fields), "__weakref__"}:
        return None
    for f in fields:
        copyable = f.init and f.alias == f.name and f.name.isidentifier()
        if not copyable or keyword.iskeyword(f.name) or isinstance(f.converter, attrs.Converter):
            return None
    return tuple(fields)


def _bump_of(kind: type) -> Maker | None:
    fields = _fields(kind)
    bump = None
    if fields is not None and "version" in {f.name for f in fields}:
        values = {
            f.name: "record.version + 1" if f.name == "version" else f"record.{f.name}"
            for f in fields
        }
        bump = _compiled(kind, "record", values, fields, validate=False)
    _BUMPS[kind] = bump
    return bump


def _maker_of(key: tuple[Any, ...]) -> Maker | None:
    kind, changed = key[0], key[1:]
    fields = _fields(kind)
    make = None
    if fields is not None and set(changed) <= {f.name for f in fields}:
        values = {}
        for f in fields:
            if f.name not in changed:
                values[f.name] = f"record.{f.name}"
            elif f.converter is None:
                values[f.name] = f"changes[{f.name!r}]"
            else:
                values[f.name] = f"convert_{f.name}(changes[{f.name!r}])"
        make = _compiled(kind, "record, changes", values, fields, validate=True)
    _MAKERS[key] = make
    return make


def _compiled(
    kind: type, parameters: str, values: dict[str, str], fields: tuple[Any, ...], *, validate: bool
) -> Maker:
    """A function of ``parameters`` making a ``kind`` whose field ``name`` is the expression
    ``values[name]`` (in field order), then, with ``validate``, running every field's
    validator unless validators are disabled, as ``__init__`` does."""
    space: dict[str, Any] = {"new": object.__new__, "kind": kind, "put": object.__setattr__}
    lines = [f"def make({parameters}):", "    made = new(kind)"]
    for f in fields:
        slot = getattr(kind, f.name, None)
        if type(slot) is MemberDescriptorType:  # the slot's own setter: no lookup by name
            space[f"set_{f.name}"] = slot.__set__
            lines.append(f"    set_{f.name}(made, {values[f.name]})")
        else:
            lines.append(f"    put(made, {f.name!r}, {values[f.name]})")
        if f.converter is not None:
            space[f"convert_{f.name}"] = f.converter
    validated = [f for f in fields if f.validator is not None] if validate else []
    if validated:
        space["disabled"] = attrs.validators.get_disabled
        lines.append("    if not disabled():")
        for n, f in enumerate(validated):
            space[f"field_{n}"] = f
            space[f"validate_{n}"] = f.validator
            lines.append(f"        validate_{n}(made, field_{n}, made.{f.name})")
    lines.append("    return made")
    exec("\n".join(lines), space)  # the text is made here, of attrs field names
    made: Maker = space["make"]
    return made
