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


def passing_class(kind: Any) -> tuple[type | None, bool]:
    """The class of :data:`PASSING` whose values a field of type ``kind`` passes as they
    are (through ``NewType`` and ``X | None``), or ``None``; and whether ``None`` passes."""
    optional = False
    args = typing.get_args(kind)
    if typing.get_origin(kind) in {typing.Union, types.UnionType} and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return None, False
        kind, optional = rest[0], True
    while hasattr(kind, "__supertype__"):  # a NewType: cattrs structures its base type
        kind = kind.__supertype__
    return (kind if kind in PASSING else None), optional


def loader(converter: cattrs.Converter, cls: type[Any]) -> Callable[[Mapping[Any, Any]], Any]:
    """The function making a ``cls`` from a row, as ``converter.structure`` does."""
    hints = typing.get_type_hints(cls)
    names: dict[str, Any] = {"cls": cls}
    lines = ["def load(row):"]
    arguments = []
    for n, field in enumerate(f for f in attrs.fields(cls) if f.init):
        kind = hints[field.name]
        names[f"h{n}"] = converter.get_structure_hook(kind)
        names[f"k{n}"] = kind
        lines.append(f"    a{n} = row[{field.name!r}]")
        passes, optional = passing_class(kind)
        if passes is None:
            lines.append(f"    a{n} = h{n}(a{n}, k{n})")
        else:
            names[f"t{n}"] = passes
            none = f"a{n} is not None and " if optional else ""
            lines.append(f"    if {none}a{n}.__class__ is not t{n}:")
            lines.append(f"        a{n} = h{n}(a{n}, k{n})")
        arguments.append(f"{field.alias}=a{n}")
    lines.append(f"    return cls({', '.join(arguments)})")
    exec("\n".join(lines), names)
    made: Callable[[Mapping[Any, Any]], Any] = names["load"]
    return made
