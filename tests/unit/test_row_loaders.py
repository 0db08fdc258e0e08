"""Rows and JSON bodies become the records cattrs makes of them: the SQL adapters'
generated loaders (``adapters/sql/loaders.py``) against cattrs on every class they load."""

from __future__ import annotations

import enum
import functools
import json
import types
import typing
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.adapters.memory import InMemoryStorage
from crmkit.adapters.sql.converters import converter, from_row
from crmkit.adapters.sql.loaders import PASSING, passing_class
from crmkit.adapters.sql.pricing import body_converter, from_body, to_body
from crmkit.adapters.sql.records import row_converter
from crmkit.domain import TenantId, new_id
from crmkit.domain.accounts import CustomerAccount, Hold, JournalEntry, RebateGrant
from crmkit.domain.inventory import Movement, Reservation, StockLevel
from crmkit.domain.outbox import ConsumerPosition, OutboxEvent
from crmkit.domain.requests import ProcessedRequest
from crmkit.services.account_ports import StoredPolicy
from crmkit.services.quotes import LineInput
from crmkit.testing.account_strategies import (
    amounts,
    customer_accounts,
    holds,
    journal_entries,
    rebate_grants,
)
from crmkit.testing.order_support import CUSTOMER, T0, open_world
from crmkit.testing.strategies import timestamps

TENANT = TenantId("t1")
LOADED = [
    StockLevel,
    Reservation,
    Movement,
    OutboxEvent,
    ConsumerPosition,
    ProcessedRequest,
    StoredPolicy,
    CustomerAccount,
    Hold,
    JournalEntry,
    RebateGrant,
]
"""The classes the SQL repositories load with ``converters.from_row``."""

KEPT = {
    CustomerAccount: customer_accounts(TENANT),
    Hold: holds(TENANT, "a1"),
    JournalEntry: journal_entries(TENANT, "a1", 1),
    RebateGrant: rebate_grants(TENANT, "a1"),
}
"""Strategies of storable records, for classes with parts a row holds as JSON values."""

foreign = st.one_of(
    st.none(), st.integers(), st.floats(), st.text(max_size=4), st.decimals(), st.booleans()
)


def _values(kind: Any) -> st.SearchStrategy[Any]:
    """Values a row may hold for a field of type ``kind`` (storable ones, mostly)."""
    passes, optional = passing_class(kind)
    made: st.SearchStrategy[Any]
    if passes is str:
        made = st.text("abcdefghij0123456789-", min_size=1, max_size=8)
    elif passes is int:
        made = st.integers(1, 2**31 - 1)
    elif passes is Decimal:
        made = st.one_of(amounts(10**9, 4), amounts(10**9, 2))
    elif passes is datetime:
        made = timestamps()
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        made = st.sampled_from([member.value for member in kind])
    else:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        union = typing.get_origin(kind) in {typing.Union, types.UnionType}
        made = _values(args[0]) if union and len(args) == 1 else foreign
        optional = union
    return st.one_of(st.none(), made) if optional else made


@st.composite
def rows(draw: st.DrawFn, cls: type[Any]) -> dict[str, Any]:
    """A row for ``cls``: from a storable record or field by field, then perhaps with one
    value foreign or one column missing."""
    if cls in KEPT:
        row: dict[str, Any] = converter.unstructure(draw(KEPT[cls]))
    else:
        hints = typing.get_type_hints(cls)
        row = {f.name: draw(_values(hints[f.name])) for f in attrs.fields(cls)}
    change = draw(st.sampled_from(["none", "none", "foreign", "missing"]))
    name = draw(st.sampled_from(sorted(row)))
    if change == "foreign":
        row[name] = draw(foreign)
    elif change == "missing":
        del row[name]
    return row


def _outcome(load: Any, row: Any) -> tuple[Any, ...]:
    try:
        made = load(row)
    except Exception as error:
        return ("raised", type(error), str(error))
    return ("returned", type(made), repr(made))


class TestRowLoaders:
    @pytest.mark.parametrize("cls", LOADED, ids=lambda c: c.__name__)
    @given(data=st.data())
    def test_a_row_loads_as_cattrs_structures_it(self, cls: type[Any], data: st.DataObject) -> None:
        """Each row gives the record cattrs gives (its repr, every Decimal's exponent too),
        or the same error."""
        row = data.draw(rows(cls))
        mine = _outcome(lambda r: from_row(r, cls), row)
        assert mine == _outcome(lambda r: converter.structure(dict(r), cls), row)

    @pytest.mark.parametrize("kind", sorted(PASSING, key=str))
    @pytest.mark.parametrize("structuring", [converter, row_converter], ids=["rows", "records"])
    @given(data=st.data())
    def test_passing_values_come_back_as_they_are(
        self, kind: type, structuring: Any, data: st.DataObject
    ) -> None:
        """The hooks the loaders skip return a value of exactly their class as it is."""
        value = data.draw(_values(kind))
        assert structuring.get_structure_hook(kind)(value, kind) is value


@functools.cache
def _documents() -> tuple[Any, ...]:
    """Orders (draft, confirmed, one delivered in part) and a quote of one in-memory tenant."""
    world = open_world(InMemoryStorage())
    draft = world.order("3", "2.5", "1")
    confirmed = world.orders.confirm(world.order("1", "", "7").id, key=new_id()).order
    shipped = world.orders.deliver(confirmed.id, {1: Decimal(1)}, key=new_id()).order
    quote = world.quotes.create_quote(
        CUSTOMER, currency="CNY", valid_until=T0 + timedelta(days=30), discount_percent="5"
    )
    quote = world.quotes.add_lines(
        quote.id, [LineInput(p.id, n + 1) for n, p in enumerate(world.products)]
    )
    return draft, confirmed, shipped, quote


json_foreign = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=4),
    st.booleans(),
    st.just([]),
    st.just({}),
)


def _changed(data: st.DataObject, value: Any) -> Any:
    """``value`` (a JSON value) with perhaps one leaf, or one key, somewhere replaced."""
    if isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        what = data.draw(st.sampled_from(["deeper", "foreign", "missing"]))
        if what == "missing":
            return {k: v for k, v in value.items() if k != key}
        new = _changed(data, value[key]) if what == "deeper" else data.draw(json_foreign)
        return {**value, key: new}
    if isinstance(value, list) and value:
        n = data.draw(st.integers(0, len(value) - 1))
        return [*value[:n], _changed(data, value[n]), *value[n + 1 :]]
    return data.draw(st.one_of(st.just(value), json_foreign))


class TestBodyLoaders:
    @given(data=st.data())
    def test_a_body_loads_as_cattrs_structures_it(self, data: st.DataObject) -> None:
        """An order's or quote's JSON body, as stored or changed somewhere, gives what
        cattrs gives (the record's repr) or the same error."""
        document = data.draw(st.sampled_from(_documents()))
        body = json.loads(to_body(document))
        if data.draw(st.booleans()):
            body = _changed(data, body)
        text, cls = json.dumps(body), type(document)
        mine = _outcome(lambda t: from_body(t, cls), text)
        assert mine == _outcome(lambda t: body_converter.structure(json.loads(t), cls), text)
        assert from_body(to_body(document), cls) == document
