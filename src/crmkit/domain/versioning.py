"""The next version of a stored record, without rebuilding it.

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
