"""Defence in depth against injection: repository arguments must be plain values.

The services validate every argument before it reaches a repository; this second, cheap
check is applied by :func:`guard_repositories` where each unit of work binds its
repositories (memory, SQL, MongoDB), so repositories added later are guarded too. A
mapping (``{"$gt": ""}``, which MongoDB reads as an operator) or bytes handed to a
repository method, directly or inside a list, tuple or set, is refused before any query
is built, so a filter only ever receives the scalars and records the domain made. (SQL key
columns also refuse non-text values when binding: see ``adapters.sql.types.Code``.)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from crmkit.domain import ValidationError

R = TypeVar("R")


def _check(value: object, where: str) -> None:
    if type(value) is str:  # most arguments are ids: nothing to look into
        return
    if isinstance(value, Mapping | bytes | bytearray | memoryview):
        raise ValidationError(
            f"{where} was given a {type(value).__name__}; repositories accept only the "
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
        checked = _checked_method(type(self._repository).__name__, name)
        call = functools.partial(checked, member)
        setattr(self, name, call)  # later lookups find it without __getattr__
        return call


@functools.cache
def _checked_method(repository: str, name: str) -> Any:
    """The check of one repository method's arguments, made once per class and method."""
    where = f"{repository}.{name}"

    def call(member: Any, *args: Any, **kwargs: Any) -> Any:
        for value in args:
            _check(value, where)
        for value in kwargs.values():
            _check(value, where)
        return member(*args, **kwargs)

    return call


def scalar_arguments(repository: R) -> R:
    """``repository`` wrapped so that no mapping or bytes reaches its queries."""
    return cast(R, _ScalarArguments(repository))  # a proxy with the wrapped type's methods


def guard_repositories(unit_of_work: object) -> None:
    """Wrap every ``*Repository`` attribute of ``unit_of_work`` with :func:`scalar_arguments`."""
    for name, value in list(vars(unit_of_work).items()):
        if type(value).__name__.endswith("Repository"):
            setattr(unit_of_work, name, scalar_arguments(value))
