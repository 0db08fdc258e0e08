"""Rows to records by one function per record class, skipping hooks that change nothing.

``converter.structure(dict(row), cls)`` runs cattrs' structure function for ``cls``, which
calls each field's hook: ``str(value)`` for a text column that already holds a ``str``,
the ``Decimal`` hook for a ``Decimal`` the column type made, and so on, with its error
bookkeeping around each. The function written here for ``cls`` reads each field's value
from the row and calls the same hook with the same type, except for a value of exactly the
class the hook returns as it is (:data:`PASSING`), which it passes on; then it calls
``cls`` with the values by their ``__init__`` names, as cattrs does, so that every attrs
converter and validator still runs. A hypothesis property
(``tests/unit/test_row_loaders.py``) checks it against cattrs on every record class the
SQL adapters load this way. Any error (a missing column, a refused value) is left to
cattrs' own structuring, which raises as before.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import cattrs

PASSING: frozenset[type] = frozenset({str, int, Decimal, datetime})
"""Classes whose values, of exactly that class, the SQL converter's hooks return as they
are (``str(s)``, ``int(i)``, the ``Decimal`` and ``datetime`` hooks of ``converters.py``)."""


def passing_class(kind: Any, passing: frozenset[type] = PASSING) -> tuple[type | None, bool]:
    """The class of ``passing`` whose values a field of type ``kind`` passes as they are
    (through ``NewType`` and ``X | None``), or ``None``; and whether ``None`` passes."""
    optional = False
    args = typing.get_args(kind)
    if typing.get_origin(kind) in {typing.Union, types.UnionType} and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return None, False
        kind, optional = rest[0], True
    while hasattr(kind, "__supertype__"):  # a NewType: cattrs structures its base type
        kind = kind.__supertype__
    return (kind if kind in passing else None), optional


Loader = Callable[[Mapping[Any, Any]], Any]


def loader(
    converter: cattrs.Converter,
    cls: type[Any],
    passing: frozenset[type] = PASSING,
    *,
    nested: bool = False,
) -> Loader:
    """The function making a ``cls`` from a row, as ``converter.structure`` does, for
    values of ``passing`` classes returned as they are by ``converter``'s hooks.

    With ``nested`` (JSON bodies), a field holding an attrs class, or a ``tuple[X, ...]``
    or ``Sequence[X]`` of one, is made by that class's own function (a class met again
    inside itself takes cattrs' hook), as cattrs' hook makes it: a tuple of each item's.
    """
    return _Writer(converter, passing, nested).write(cls, frozenset())


class _Writer:
    def __init__(self, converter: cattrs.Converter, passing: frozenset[type], nested: bool):
        self.converter = converter
        self.passing = passing
        self.nested = nested

    def write(self, cls: type[Any], inside: frozenset[type]) -> Loader:
        hints = typing.get_type_hints(cls)
        names: dict[str, Any] = {"cls": cls, "tuple": tuple}
        lines = ["def load(row):"]
        arguments = []
        for n, field in enumerate(f for f in attrs.fields(cls) if f.init):
            kind = hints[field.name]
            lines.append(f"    a{n} = row[{field.name!r}]")
            lines.extend(self._value(n, kind, names, inside | {cls}))
            arguments.append(f"{field.alias}=a{n}")
        lines.append(f"    return cls({', '.join(arguments)})")
        exec("\n".join(lines), names)
        made: Loader = names["load"]
        return made

    def _value(
        self, n: int, kind: Any, names: dict[str, Any], inside: frozenset[type]
    ) -> list[str]:
        """The lines turning ``a<n>``, a value for a field of type ``kind``, into its own."""
        item = _tuple_item(kind)
        if self.nested and attrs.has(kind) and kind not in inside:
            names[f"l{n}"] = self.write(kind, inside)
            return [f"    a{n} = l{n}(a{n})"]
        if self.nested and item is not None and attrs.has(item) and item not in inside:
            names[f"l{n}"] = self.write(item, inside)
            return [f"    a{n} = tuple([l{n}(item) for item in a{n}])"]
        names[f"h{n}"] = self.converter.get_structure_hook(kind)
        names[f"k{n}"] = kind
        passes, optional = passing_class(kind, self.passing)
        if passes is None:
            return [f"    a{n} = h{n}(a{n}, k{n})"]
        names[f"t{n}"] = passes
        none = f"a{n} is not None and " if optional else ""
        return [f"    if {none}a{n}.__class__ is not t{n}:", f"        a{n} = h{n}(a{n}, k{n})"]


def _tuple_item(kind: Any) -> Any:
    """``X`` of ``tuple[X, ...]`` or ``Sequence[X]`` (which cattrs makes a tuple of, too),
    else ``None``."""
    args, origin = typing.get_args(kind), typing.get_origin(kind)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return args[0] if origin is collections.abc.Sequence and len(args) == 1 else None
