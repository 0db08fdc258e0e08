"""Defence in depth against operator injection: repository arguments must be plain values.

The services validate every argument before it reaches a repository; this second, cheap
check sits in the one place where MongoDB repositories are bound to a unit of work. A
mapping (``{"$gt": ""}``) or bytes handed to a repository method, directly or inside a
list, tuple or set, is refused before any filter is built, so a filter only ever receives
the scalars and records the domain made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from crmkit.domain import ValidationError

R = TypeVar("R")


def _check(value: object, where: str) -> None:
    if isinstance(value, Mapping | bytes | bytearray | memoryview):
        raise ValidationError(
            f"{where} was given a {type(value).__name__}; MongoDB queries accept only the "
            f"validated values crmkit's services pass (text ids, numbers, records).",
        )
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, where)


class _ScalarArguments:
    """Forwards to a repository after checking the arguments of each method call."""

    def __init__(self, repository: object) -> None:
        self._repository = repository

    def __getattr__(self, name: str) -> Any:
        member = getattr(self._repository, name)
        if name.startswith("_") or not callable(member):
            return member
        where = f"{type(self._repository).__name__}.{name}"

        def call(*args: Any, **kwargs: Any) -> Any:
            for value in (*args, *kwargs.values()):
                _check(value, where)
            return member(*args, **kwargs)

        return call


def scalar_arguments(repository: R) -> R:
    """``repository`` wrapped so that no mapping or bytes reaches its queries."""
    return cast(R, _ScalarArguments(repository))  # a proxy with the wrapped type's methods
