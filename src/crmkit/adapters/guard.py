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
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from crmkit.domain import ValidationError

R = TypeVar("R")


def _check(value: object, where: str) -> None:
    kind = type(value)
    if kind in _PLAIN:
        return
    if kind in _CONTAINERS:  # exactly a list, tuple or set: neither a mapping nor bytes
        _check_items(value, where)  # type: ignore[arg-type]
    elif isinstance(value, _REFUSED):
        raise ValidationError(
            f"{where} was given a {kind.__name__}; repositories accept only the "
            f"validated values crmkit's services pass (text ids, numbers, records).",
        )
    elif isinstance(value, _CONTAINER_TYPES):
        _check_items(value, where)
    else:  # neither refused nor a container: every value of its type passes too
        _PLAIN.add(kind)


def _check_items(items: Iterable[object], where: str) -> None:
    for item in items:
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind is tuple:  # a key of plain values (stock keys): its items checked here
            for value in item:  # type: ignore[attr-defined]
                if type(value) not in _PLAIN:
                    _check(value, where)
        else:
            _check(item, where)


_PLAIN: set[type] = {str, int, float, bool, type(None)}
"""Types whose values pass :func:`_check` by their type alone: the scalars, and each type
found to be neither refused nor a container (records, decimals, datetimes), remembered."""
_REFUSED = (Mapping, bytes, bytearray, memoryview)
_CONTAINER_TYPES = (list, tuple, set, frozenset)
"""The containers whose items are checked (a mapping is refused even if it is one too).
Tuples of types, made once: a ``Mapping | bytes`` union would be built at every check."""
_CONTAINERS = frozenset(_CONTAINER_TYPES)


class _ScalarArguments:
    """Forwards to a repository after checking the arguments of each method call."""

    __slots__ = ("_repository",)

    def __init__(self, repository: object) -> None:
        self._repository = repository

    def __getattr__(self, name: str) -> Any:  # fields and private members, unchecked
        return getattr(self._repository, name)


def _forwarding(name: str, where: str, original: object) -> Any:
    plain = _PLAIN  # the arguments checked in line: a call only for one not plain
    function = cast(Callable[..., Any], original)
    # A plain function of the class is called with the repository, as its bound method
    # would be (proxies are made per exact class, and repositories set no methods on
    # themselves), without making the bound method at each call; a class or static
    # method is looked up per call.
    direct = inspect.isfunction(original)

    def call(self: _ScalarArguments, /, *args: Any, **kwargs: Any) -> Any:
        for value in args:
            if type(value) not in plain:
                _check(value, where)
        if kwargs:
            for value in kwargs.values():
                if type(value) not in plain:
                    _check(value, where)
        if direct:
            return function(self._repository, *args, **kwargs)
        return getattr(self._repository, name)(*args, **kwargs)

    if not direct:
        call.__name__ = call.__qualname__ = name
        return call
    return functools.update_wrapper(call, function)  # its signature and docstring


_PROXIES: dict[type, type[_ScalarArguments]] = {}


def proxy_class(kind: type) -> type[_ScalarArguments]:
    """The proxy class of the repository class ``kind``: one checked method per public
    method, built once per class (a unit of work only instantiates it, with the repository:
    what :func:`scalar_arguments` returns)."""
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


_SET_REPOSITORY = vars(_ScalarArguments)["_repository"].__set__
"""The proxy's slot setter: :func:`scalar_arguments` fills it without ``__init__``'s call."""


def scalar_arguments(repository: R) -> R:
    """``repository`` wrapped so that no mapping or bytes reaches its queries."""
    kind = type(repository)
    proxy = object.__new__(_PROXIES.get(kind) or proxy_class(kind))
    _SET_REPOSITORY(proxy, repository)
    return proxy  # type: ignore[return-value]  # a proxy with the wrapped type's methods


def guard_repositories(unit_of_work: object) -> None:
    """Wrap every ``*Repository`` attribute of ``unit_of_work`` with :func:`scalar_arguments`."""
    for name, value in list(vars(unit_of_work).items()):
        if type(value).__name__.endswith("Repository"):
            setattr(unit_of_work, name, scalar_arguments(value))
