"""Hostile input for every public service call, found by introspection.

:func:`service_calls` lists every public method of every service reachable from
:class:`~crmkit.tenant_services.TenantServices`, so calls added later are covered without editing
the suite. :func:`plain_value` builds a well-formed argument from a parameter's name and
annotation (records of a seeded :class:`World` where the name says which), and
:func:`hostile_values` a strategy of hostile ones for the same annotation.
"""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import UnionType
from typing import Any

import attrs
from hypothesis import strategies as st

from crmkit.domain import Money, new_id
from crmkit.services.boundary import ID_NAMES, KEY_NAMES
from crmkit.tenant_services import TenantServices
from crmkit.testing.contracts.support import T0
from crmkit.testing.hostile_orders import FUTURE, seed_orders
from crmkit.testing.hostile_process import seed_approvals, seed_process
from crmkit.testing.hostile_seeds import (
    Seeded,
    seed_custom_fields,
    seed_field_work,
    seed_front_office,
    seed_shelf_checks,
)

SQL_TEXTS = (
    "' OR '1'='1",
    "'; DROP TABLE products; --",
    '" OR ""="',
    "1; SELECT pg_sleep(1)",
    "%",
    "_",
    "\\",
    "`id`",
    "5",
    "0",
    "-1",
    "1e999",
    "NaN",
    "Infinity",
)
MONGO_TEXTS = ("$gt", "$where", "$ne", '{"$gt": ""}', "a.b", "$", "this.id != ''")
BAD_TEXTS = (
    "",
    "   ",
    "a\x00b",
    "line\nbreak",
    "tab\t",
    "\x1b[31m",
    "\ud800",
    "x\udfff",
    "\u202eevil",
)
LONG_TEXTS = st.sampled_from([129, 10_001, 100_000]).map(lambda n: "x" * n)
NICE_TEXTS = ("Ünïcödé", "数量", "🙂", "e\u0301", "  padded  ")
WRONG_TYPES: tuple[object, ...] = (
    None,
    {},
    {"$gt": ""},
    {"$ne": None},
    {"$where": "sleep(100)"},
    [],
    ["$gt"],
    [{"$gt": ""}],
    (),
    b"bytes",
    bytearray(b"x"),
    object(),
    {"a"},
    5,
    -1,
    0,
    2**64,
    10**100,
    True,
    1.5,
    float("nan"),
    float("inf"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("1E+1000000"),
    Decimal("1E-1000000"),
    Decimal("1E+30"),
    Decimal("-5"),
    "1" * 70,
    datetime(2026, 1, 1),  # naive  # noqa: DTZ001 - hostile on purpose
    datetime(9999, 12, 31, tzinfo=T0.tzinfo),
)


MADE_SERVICES: dict[str, Callable[[TenantServices], object]] = {
    "shelf_checks": lambda services: services.shelf_checks(
        currency="CNY", store_of_order=lambda _uow, _order_id: None
    ),
}
"""Services :class:`TenantServices` makes on request (a method taking their settings), each
made here with well-formed settings so their calls are covered too."""


def service_of(services: TenantServices, name: str) -> Any:
    """The service ``name`` of ``services``: a field, or one of :data:`MADE_SERVICES`."""
    made = MADE_SERVICES.get(name)
    return made(services) if made is not None else getattr(services, name)


def service_type(name: str) -> Any:
    """The class of the service ``name`` (a field's annotation, or the making method's
    return annotation)."""
    if name in MADE_SERVICES:
        return typing.get_type_hints(getattr(TenantServices, name))["return"]
    return typing.get_type_hints(TenantServices)[name]


def service_calls() -> list[tuple[str, str]]:
    """(service, method name) of every public call of :class:`TenantServices`' services,
    those it makes on request included."""
    calls = []
    for name in [f.name for f in attrs.fields(TenantServices)] + list(MADE_SERVICES):
        service = service_type(name)
        if not isinstance(service, type) or not service.__module__.startswith("crmkit."):
            continue
        for method, _member in inspect.getmembers(service, inspect.isfunction):
            if not method.startswith("_"):
                calls.append((name, method))
    return calls


def parameters(method: Callable[..., Any]) -> list[tuple[inspect.Parameter, object]]:
    """The parameters of a bound service method with their resolved annotations."""
    target = inspect.unwrap(method)
    hints = typing.get_type_hints(target)
    return [
        (parameter, hints.get(name, object))
        for name, parameter in inspect.signature(target).parameters.items()
        if name != "self"
    ]


def _also(services: TenantServices, seeder: Callable[[TenantServices], Seeded]) -> Seeded:
    """The order flow's records (:func:`seed_orders`), then ``seeder``'s."""
    orders, more = seed_orders(services), seeder(services)
    return Seeded(
        orders.by_name | more.by_name,
        orders.by_call | more.by_call,
        orders.by_type | more.by_type,
    )


SEEDERS: dict[str, Callable[[TenantServices], Seeded]] = {
    **dict.fromkeys(
        ("customers", "pools", "leads", "activities", "directory", "opportunities",
         "customer_quotes", "customer_funds"),
        seed_front_office,
    ),
    "visits": seed_field_work,
    "shelf_checks": seed_shelf_checks,
    "work_orders": seed_field_work,
    "custom_fields": seed_custom_fields,
    "approvals": lambda services: _also(services, seed_approvals),
    "workflows": lambda services: _also(services, seed_process),
    "processes": lambda services: _also(services, seed_process),
}  # fmt: skip
"""The seeder of each service outside the order flow (the others get :meth:`World.seed`'s
own records: products, prices, quotes, stock, accounts, orders, payments)."""


@attrs.define
class World:
    """Records seeded through the services, named as parameters name them.

    ``by_name`` holds a value per parameter name; ``by_call`` overrides it for the calls
    (``"method"`` or ``"service.method"``) where a name means another record (``order_id``
    is an order reference for reservations, an inbound order's id for inbound orders, a
    sales order's id for ``get_order``); ``by_type`` holds an unstored record of each
    class a call takes whole, the base of the records built around a hostile field.
    """

    by_name: dict[str, object] = attrs.field(factory=dict)
    by_call: dict[str, dict[str, object]] = attrs.field(factory=dict)
    by_type: dict[type, object] = attrs.field(factory=dict)

    def named(self, method: str) -> dict[str, object]:
        """The seeded values for the parameters of ``method`` (``"service.method"``)."""
        bare = method.rpartition(".")[2]
        return {**self.by_name, **self.by_call.get(bare, {}), **self.by_call.get(method, {})}

    @classmethod
    def seed(cls, services: TenantServices, service: str | None = None) -> World:
        """The records the calls of ``service`` need (of every service if ``None``)."""
        seeders = [SEEDERS[service]] if service in SEEDERS else [seed_orders]
        if service is None:
            seeders = [seed_orders, seed_field_work, seed_custom_fields, seed_process]
        world = cls()
        for seeder in seeders:
            seeded = seeder(services)
            world.by_name |= seeded.by_name
            world.by_call |= seeded.by_call
            world.by_type |= seeded.by_type
        return world


def plain_value(  # noqa: PLR0911, PLR0912 - one return per kind of annotation
    world: World, name: str, annotation: object, method: str = ""
) -> object:
    """A well-formed value for a parameter or field ``name`` annotated ``annotation``."""
    named = world.named(method)
    if name in named:
        return named[name]
    if name in KEY_NAMES:
        return new_id()
    origin = typing.get_origin(annotation)
    if origin in {typing.Union, UnionType}:
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        return (
            None
            if len(members) < len(typing.get_args(annotation))
            else (plain_value(world, name, members[0]))
        )
    if annotation is str or getattr(annotation, "__supertype__", None) is str:
        if name in ID_NAMES or name.endswith("_id") or name in {"sku", "code"}:
            return f"{name[:4].upper()}-{new_id()[:8]}"
        return "value"
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is Decimal:
        return Decimal(1)
    if annotation is datetime:
        return FUTURE
    if annotation is date:
        return FUTURE.date()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation))
    if isinstance(annotation, type) and attrs.has(annotation):
        return world.by_type.get(annotation) or _plain_record(world, annotation)
    args = typing.get_args(annotation)
    if origin is tuple:
        return tuple(plain_value(world, name, arg) for arg in args if arg is not Ellipsis)
    if origin in {Sequence, Collection, Iterable, list}:
        return [plain_value(world, name, args[0])]
    if origin in {frozenset, set}:
        return frozenset({plain_value(world, name, args[0])})
    if origin in {Mapping, dict}:
        return {}
    return "value"


def _plain_record(world: World, cls: type, **given: object) -> object:
    hints = typing.get_type_hints(cls)
    fields = {
        field.alias: given.get(field.name, plain_value(world, field.name, hints[field.name]))
        for field in attrs.fields(cls)
        if field.init and (field.name in given or field.default is attrs.NOTHING)
    }
    if cls is Money:
        fields["currency"] = "EUR"
    return cls(**fields)


def hostile_values(
    world: World, name: str, annotation: object, method: str = ""
) -> st.SearchStrategy[object]:
    """Hostile values for ``name``: wrong types, injections, bad text and numbers, mutations."""
    plain = plain_value(world, name, annotation, method)
    texts = st.sampled_from(SQL_TEXTS + MONGO_TEXTS + BAD_TEXTS + NICE_TEXTS)
    random_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
    mutations: list[object] = []
    if isinstance(plain, str):
        mutations = [f"  {plain}  ", plain + "'", plain + "\x00", plain * 40, plain.upper()]
    strategies = [
        st.sampled_from(WRONG_TYPES),
        texts,
        LONG_TEXTS,
        random_text,
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.floats(),
        st.dictionaries(st.sampled_from(["$gt", "$ne", "$in", "$regex"]), texts, max_size=2),
    ]
    if mutations:
        strategies.append(st.sampled_from(mutations))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in {typing.Union, UnionType}:
        members = [m for m in args if m is not type(None)]
        strategies.extend(_nested(world, name, m) for m in members)
    else:
        strategies.append(_nested(world, name, annotation))
    return st.one_of(strategies)


def _nested(world: World, name: str, annotation: object) -> st.SearchStrategy[object]:
    """Well-shaped containers and records holding one hostile value."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and attrs.has(annotation):
        hints = typing.get_type_hints(annotation)
        fields = [f for f in attrs.fields(annotation) if f.init]

        @st.composite
        def record(draw: st.DrawFn) -> object:
            field = draw(st.sampled_from(fields))
            bad = draw(hostile_values(world, field.name, hints[field.name]))
            return _Built(world, annotation, field.name, bad)

        return record()
    if origin in {Sequence, Collection, Iterable, list, frozenset, set}:
        return st.lists(hostile_values(world, name, args[0]), min_size=1, max_size=2)
    if origin is tuple and args and args[-1] is not Ellipsis:
        plain = [plain_value(world, name, arg) for arg in args]

        @st.composite
        def row(draw: st.DrawFn) -> object:
            at = draw(st.integers(0, len(args) - 1))
            values = list(plain)
            values[at] = draw(hostile_values(world, name, args[at]))
            return tuple(values)

        return row()
    if origin in {Mapping, dict}:
        keys = hostile_values(world, name, args[0]).filter(_hashable)
        return st.dictionaries(keys, hostile_values(world, name, args[1]), max_size=2)
    return st.nothing()


@attrs.frozen
class _Built:
    """A record to build at call time (its constructor may refuse the hostile field)."""

    world: World = attrs.field(repr=False)
    cls: type
    field: str
    value: object

    def build(self) -> object:
        """The record, well-formed but for the hostile field."""
        base = self.world.by_type.get(self.cls)
        if base is None:
            return _plain_record(self.world, self.cls, **{self.field: self.value})
        alias = str(attrs.fields_dict(self.cls)[self.field].alias)
        return attrs.evolve(base, **{alias: self.value})  # type: ignore[misc]  # an attrs record


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
