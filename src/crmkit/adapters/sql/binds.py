"""Driver parameters made by one function per compiled plan (see ``direct.py``).

A statement built once runs with the same parameter names every time, so the loop that
takes each value and runs its column type's bind processor is written out once per plan
as a function of straight-line code (as attrs and cattrs write out their ``__init__`` and
structure functions): no loop, and no call for a value its processor would return as it
is. A processor says which values those are with :func:`passing`; it is still called for
every other value, and the values are taken in the order the loop took them, so the
parameters, and any error (a missing key, a processor's refusal), are the loop's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[[Any], Any])

Maker = Callable[[Mapping[str, Any]], Any]
"""Driver parameters (a sequence, or a mapping by driver name) from a statement's values."""

_PASSES = "_crmkit_passes_as_is"


def passing(kind: type) -> Callable[[F], F]:
    """Mark a bind processor that returns any value of exactly ``kind`` as it is."""

    def mark(process: F) -> F:
        setattr(process, _PASSES, kind)
        return process

    return mark


def maker(
    binds: Sequence[tuple[str, str, Callable[[Any], Any] | None]],
    positional: bool,
    sequence_format: Callable[[list[Any]], Any],
) -> Maker:
    """The function making driver parameters from values by ``binds`` ((parameter, driver
    name, bind processor) in the driver's order): a ``sequence_format`` of the processed
    values if ``positional``, else a dict by driver name."""
    names: dict[str, Any] = {"fmt": sequence_format}
    lines = ["def make(values):"]
    for n, (name, _, process) in enumerate(binds):
        lines.append(f"    a{n} = values[{name!r}]")
        if process is None:
            continue
        names[f"p{n}"] = process
        kind = getattr(process, _PASSES, None)
        if kind is None:
            lines.append(f"    a{n} = p{n}(a{n})")
        else:
            names[f"t{n}"] = kind
            lines.append(f"    if a{n}.__class__ is not t{n}:")
            lines.append(f"        a{n} = p{n}(a{n})")
    values = ", ".join(f"a{n}" for n in range(len(binds)))
    if not positional:
        mapped = ", ".join(f"{driver!r}: a{n}" for n, (_, driver, _) in enumerate(binds))
        lines.append(f"    return {{{mapped}}}")
    elif sequence_format is tuple:
        lines.append(f"    return ({values}{',' if binds else ''})")
    else:
        lines.append(f"    return fmt([{values}])")
    exec("\n".join(lines), names)
    made: Maker = names["make"]
    return made


def reference(
    binds: Sequence[tuple[str, str, Callable[[Any], Any] | None]],
    positional: bool,
    sequence_format: Callable[[list[Any]], Any],
    values: Mapping[str, Any],
) -> Any:
    """What :func:`maker`'s function returns for ``values``, by the plain loop (for tests)."""
    if positional:
        return sequence_format(
            [
                values[name] if process is None else process(values[name])
                for name, _, process in binds
            ]
        )
    return {
        driver: values[name] if process is None else process(values[name])
        for name, driver, process in binds
    }
