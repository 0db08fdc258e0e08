"""Contract: hostile input never selects, changes or crashes anything, on every backend.

Every public call of every service on :class:`~crmkit.tenant_services.TenantServices` (found by
introspection, see :mod:`crmkit.testing.hostile`) is called with one argument hostile and
the others well-formed, against a seeded tenant. Whatever happens:
- only :class:`~crmkit.domain.CrmkitError` escapes, and a value of the wrong type or form
  (not text where text is due, NUL, unpaired surrogates, NaN, floats, huge numbers...) is
  refused with a :class:`~crmkit.domain.ValidationError` whose ``field`` names it;
- error messages stay short (values quoted in them are cut);
- a refused call changes nothing (the tenant's whole stored state is compared);
- a call that accepts a hostile text answers about that text only: records it returns or
  writes carry it verbatim (after the usual trimming), or it returns no record at all,
  so an injected id (``{"$gt": ""}``, ``"' OR '1'='1"``) can never pick another record.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from decimal import Decimal
from types import UnionType
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters.clock import FixedClock
from crmkit.bootstrap import Crm
from crmkit.domain import CrmkitError, TenantId, ValidationError, new_id
from crmkit.services import Storage, UnitOfWork
from crmkit.services.boundary import ID_NAMES
from crmkit.testing.contracts.support import T0, canonical
from crmkit.testing.hostile import (
    World,
    _Built,
    hostile_values,
    parameters,
    plain_value,
    service_calls,
    service_of,
)
from crmkit.testing.state import State, tenant_state

CALLS = service_calls()
REPOSITORIES = sorted(
    name for name, member in vars(UnitOfWork).items() if isinstance(member, property)
)
FAST_PROFILE_EXAMPLES = 30
MAX_MESSAGE = 600
NAMES_NO_RECORD = frozenset({"OutboxService.read.consumer"})
"""Text parameters that name the caller's own position, not a record to select: a new
consumer name reads the outbox from its start, so its answer is about other records."""
"""Error messages cut the values they quote: no echo of a 100,000-character input."""


class HostileInputContract:
    """Every service call survives hostile arguments with a crmkit error and no change."""

    examples_per_call: ClassVar[int] = 3
    """Examples per call in the fast profile; scaled up with the ``thorough`` profile.
    (Three since the front office and field work joined: about 560 cases per backend.)"""
    cases: ClassVar[dict[str, int]] = {}
    suite_name: str = ""
    """The name its cases are counted under in ``cases`` (the class name when empty)."""

    def state_of(self, storage: Storage, tenant_id: TenantId) -> State:
        """The tenant's stored state (override for a storage of your own)."""
        return tenant_state(storage, tenant_id)

    @pytest.mark.parametrize(("service", "method"), CALLS, ids=[f"{s}.{m}" for s, m in CALLS])
    def test_hostile_arguments_are_refused_or_kept_verbatim(
        self, storage: Storage, service: str, method: str
    ) -> None:
        """One hostile argument: a crmkit error and no change, or an answer about it only."""
        tenant, world, call, params = _seeded(storage, service, method)
        qualified = f"{service}.{method}"
        if not params:
            self._check(storage, tenant, call, {}, None)
            return
        examples = max(1, self.examples_per_call * settings().max_examples // FAST_PROFILE_EXAMPLES)

        @settings(max_examples=examples, database=None)
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            parameter, annotation = data.draw(st.sampled_from(params), label="parameter")
            hostile = data.draw(
                hostile_values(world, parameter.name, annotation, qualified), label="value"
            )
            arguments = {
                p.name: plain_value(world, p.name, a, qualified)
                for p, a in params
                if p.default is p.empty and p.name != parameter.name
            }
            arguments[parameter.name] = hostile
            seeded = plain_value(world, parameter.name, annotation, qualified)
            self._check(storage, tenant, call, arguments, (parameter.name, annotation, seeded))

        run()

    @pytest.mark.parametrize(("service", "method"), CALLS, ids=[f"{s}.{m}" for s, m in CALLS])
    def test_padded_ids_find_what_the_ids_find(
        self, storage: Storage, service: str, method: str
    ) -> None:
        """A read given ids with surrounding spaces answers as for the ids themselves."""
        tenant, world, call, params = _seeded(storage, service, method)
        qualified = f"{service}.{method}"
        plain = {
            p.name: plain_value(world, p.name, a, qualified)
            for p, a in params
            if p.default is p.empty or p.name in world.named(qualified)
        }
        before = self.state_of(storage, tenant)
        expected = _outcome(call, plain)
        if self.state_of(storage, tenant) != before:
            return  # a write: padded ids are covered by the hostile-argument test
        annotations = {p.name: a for p, a in params}
        for name, value in plain.items():
            if isinstance(value, str) and _is_id(name, annotations[name]):
                padded = {**plain, name: f"  {value}\t"}
                assert _outcome(call, padded) == expected, f"{method}({name}=padded)"

    def test_repository_lookups_select_nothing_for_ids_of_the_wrong_type(
        self, storage: Storage
    ) -> None:
        """A repository ``get`` given a mapping, list, bytes or int id finds no record."""
        tenant = TenantId(f"hostile-{new_id()[:8]}")
        world = World.seed(Crm(storage, FixedClock(T0)).tenant(tenant))
        prefixes = {
            int(digits)
            for value in world.by_name.values()
            if isinstance(value, str) and (digits := _leading_digits(value))
        }
        wrong: list[object] = [{"$gt": ""}, {"$ne": None}, ["$gt"], b"x", None, 0, *prefixes]
        looked_up = 0
        with storage.unit_of_work(tenant) as uow:
            for name in REPOSITORIES:
                get = getattr(getattr(uow, name), "get", None)
                if get is None or not _takes_one_id(get):
                    continue
                for value in wrong:
                    looked_up += 1
                    try:
                        found = get(value)
                    except CrmkitError:
                        continue
                    assert found is None, f"{name}.get({value!r}) found {found!r:.100}"
        assert looked_up >= len(wrong) * 5

    def _check(
        self,
        storage: Storage,
        tenant: TenantId,
        call: Callable[..., Any],
        arguments: dict[str, object],
        target: tuple[str, object, object] | None,
    ) -> None:
        """Call with ``arguments``; ``target`` is the hostile one's name, annotation and
        seeded value (which, in another spelling, rightly answers about its seeded record)."""
        name = f"{call.__qualname__}({', '.join(f'{k}=...' for k in arguments)})"
        suite = self.suite_name or type(self).__name__
        type(self).cases[suite] = type(self).cases.get(suite, 0) + 1
        before = self.state_of(storage, tenant)
        called = False
        try:
            arguments = {key: _built(value) for key, value in arguments.items()}
            called = True  # past the records' own constructors: the call's refusal
            result = call(**arguments)
        except CrmkitError as error:
            if len(str(error)) > MAX_MESSAGE:
                pytest.fail(f"{name}: a {len(str(error))}-character message: {error!s:.200}")
            malformed = target is not None and _must_be_refused(arguments.get(target[0]), target[1])
            if malformed and not isinstance(error, ValidationError):
                pytest.fail(f"{name} refused a malformed value with {error!r}")
            if called and malformed and target is not None and error.field != target[0]:
                pytest.fail(f"{name} refused {target[0]} with field={error.field!r}: {error}")
            assert self.state_of(storage, tenant) == before, f"{name} refused but changed state"
            return
        except Exception as error:
            pytest.fail(f"{name} raised {type(error).__name__}: {str(error)[:300]}")
        if target is None:
            return
        value = arguments[target[0]]
        assert not _must_be_refused(value, target[1]), f"{name} accepted {value!r:.80}"
        selects = f"{call.__qualname__}.{target[0]}" not in NAMES_NO_RECORD
        if selects and isinstance(value, str) and value.strip() and _is_text(target[1]):
            after = self.state_of(storage, tenant)
            written = [rows for key, rows in after.items() if rows != before.get(key)]
            wanted = value.strip()
            assert (
                _mentions(result, wanted)
                or _mentions(written, wanted)
                or not _records(result)
                or wanted == target[2]
            ), f"{name} with {target[0]}={value!r:.80} answered about other records"


def _built(value: object) -> object:
    if isinstance(value, _Built):
        return value.build()
    if isinstance(value, list | tuple):
        return type(value)(_built(item) for item in value)
    if isinstance(value, dict):
        return {key: _built(item) for key, item in value.items()}
    return value


def _must_be_refused(value: object, annotation: object) -> bool:  # noqa: PLR0911
    """Whether ``value`` is of the wrong type or form for a top-level ``annotation``."""
    if typing.get_origin(annotation) in {typing.Union, UnionType}:
        members = typing.get_args(annotation)
        if value is None:
            return type(None) not in members
        if Decimal in members:
            return _bad_number(value)
        return all(_must_be_refused(value, m) for m in members if m is not type(None))
    if annotation is str or getattr(annotation, "__supertype__", None) is str:
        return not isinstance(value, str) or "\x00" in value or _has_surrogate(value)
    if annotation is int:
        return isinstance(value, bool) or not isinstance(value, int)
    if annotation is bool:
        return not isinstance(value, bool)
    if annotation is Decimal:
        return _bad_number(value)
    if isinstance(annotation, type) and annotation.__module__ != "builtins":
        return not isinstance(value, annotation)
    return False


def _bad_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return True
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return True
    return isinstance(value, Decimal) and not value.is_finite()


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _fields(value: object) -> list[object]:
    return [getattr(value, name) for name in attrs.fields_dict(type(value))]  # type: ignore[arg-type]  # attrs.has checked it


def _mentions(value: object, text: str) -> bool:
    if isinstance(value, str):
        return value == text
    if attrs.has(type(value)):
        return any(_mentions(field, text) for field in _fields(value))
    if isinstance(value, dict):
        return any(_mentions(v, text) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_mentions(item, text) for item in value)
    return False


def _records(value: object) -> bool:
    if attrs.has(type(value)):
        if hasattr(value, "version"):
            return True
        return any(_records(field) for field in _fields(value))
    if isinstance(value, dict):
        return any(_records(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_records(item) for item in value)
    return False


def _is_text(annotation: object) -> bool:
    """Whether ``annotation`` is text (an id, a code, a name), not a number given as text."""
    if typing.get_origin(annotation) in {typing.Union, UnionType}:
        members = typing.get_args(annotation)
        return Decimal not in members and any(_is_text(m) for m in members)
    return annotation is str or getattr(annotation, "__supertype__", None) is str


def _leading_digits(text: str) -> str:
    digits = ""
    for ch in text:
        if not ch.isdigit():
            break
        digits += ch
    return digits


def _takes_one_id(method: Callable[..., Any]) -> bool:
    required = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.default is p.empty and p.kind is not p.VAR_KEYWORD and p.kind is not p.VAR_POSITIONAL
    ]
    return len(required) == 1


def _is_id(name: str, annotation: object) -> bool:
    if getattr(annotation, "__supertype__", None) is str:
        return getattr(annotation, "__name__", "").endswith("Id")
    return _is_text(annotation) and (name in ID_NAMES or name.endswith("_id"))


def _seeded(
    storage: Storage, service: str, method: str
) -> tuple[TenantId, World, Any, list[tuple[inspect.Parameter, object]]]:
    """A new tenant seeded for ``service``, its world, the bound ``service.method`` and
    its parameters."""
    tenant = TenantId(f"hostile-{new_id()[:8]}")
    services = Crm(storage, FixedClock(T0)).tenant(tenant)
    world = World.seed(services, service)
    call = getattr(service_of(services, service), method)
    return tenant, world, call, parameters(call)


def _outcome(call: Callable[..., Any], arguments: dict[str, object]) -> object:
    try:
        return canonical(call(**arguments))
    except CrmkitError as error:
        return type(error).__name__
