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
import inspect
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from crmkit.domain import ValidationError

R = TypeVar("R")


def _check(value: object, where: str) -> None:
    kind = type(value)
    if kind in _PLAIN:
        return
    if isinstance(value, Mapping | bytes | bytearray | memoryview):
        raise ValidationError(
            f"{where} was given a {kind.__name__}; repositories accept only the "
            f"validated values crmkit's services pass (text ids, numbers, records).",
        )
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            if type(item) not in _PLAIN:  # ids and numbers pass without a call each
                _check(item, where)
    else:  # neither refused nor a container: every value of its type passes too
        _PLAIN.add(kind)


_PLAIN: set[type] = {str, int, float, bool, type(None)}
"""Types whose values pass :func:`_check` by their type alone: the scalars, and each type
found to be neither refused nor a container (records, decimals, datetimes), remembered."""


def _check_all(args: tuple[Any, ...], kwargs: dict[str, Any], where: str) -> None:
    for value in args:
        if type(value) not in _PLAIN:
            _check(value, where)
    for value in kwargs.values():
        if type(value) not in _PLAIN:
            _check(value, where)


class _ScalarArguments:
    """Forwards to a repository after checking the arguments of each method call."""

    __slots__ = ("_repository",)

    def __init__(self, repository: object) -> None:
        self._repository = repository

    def __getattr__(self, name: str) -> Any:  # fields and private members, unchecked
        return getattr(self._repository, name)


def _forwarding(name: str, where: str, original: object) -> Any:
    def call(self: _ScalarArguments, /, *args: Any, **kwargs: Any) -> Any:
        _check_all(args, kwargs, where)
        return getattr(self._repository, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    if inspect.isfunction(original):  # the repository method's signature and docstring show
        functools.update_wrapper(call, original)
    return call


_PROXIES: dict[type, type[_ScalarArguments]] = {}


def _proxy_class(kind: type) -> type[_ScalarArguments]:
    """The proxy class of the repository class ``kind``: one checked method per public
    method, built once per class (a unit of work only instantiates it)."""
    proxy = _PROXIES.get(kind)
    if proxy is None:
        methods = {
            name: _forwarding(name, f"{kind.__name__}.{name}", getattr(kind, name))
            for name in dir(kind)
            if not name.startswith("_") and _is_method(getattr(kind, name))
        }
        proxy = type(f"Checked{kind.__name__}", (_ScalarArguments,), {"__slots__": (), **methods})
        _PROXIES[kind] = proxy
    return proxy


def _is_method(member: object) -> bool:
    return inspect.isfunction(member) or inspect.ismethod(member)


def scalar_arguments(repository: R) -> R:
    """``repository`` wrapped so that no mapping or bytes reaches its queries."""
    proxy = _proxy_class(type(repository))(repository)
    return cast(R, proxy)  # a proxy with the wrapped type's methods


def guard_repositories(unit_of_work: object) -> None:
    """Wrap every ``*Repository`` attribute of ``unit_of_work`` with :func:`scalar_arguments`."""
    for name, value in list(vars(unit_of_work).items()):
        if type(value).__name__.endswith("Repository"):
            setattr(unit_of_work, name, scalar_arguments(value))
