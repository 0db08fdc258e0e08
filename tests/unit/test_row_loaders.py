"""Rows become the records cattrs makes of them: the SQL adapters' generated row loaders
(``adapters/sql/loaders.py``) against ``converter.structure`` on every class they load."""

from __future__ import annotations

import enum
import types
import typing
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.adapters.sql.converters import converter, from_row
from crmkit.adapters.sql.loaders import PASSING, passing_class
from crmkit.adapters.sql.records import row_converter
from crmkit.domain import TenantId
from crmkit.domain.accounts import CustomerAccount, Hold, JournalEntry, RebateGrant
from crmkit.domain.inventory import Movement, Reservation, StockLevel
from crmkit.domain.outbox import ConsumerPosition, OutboxEvent
from crmkit.domain.requests import ProcessedRequest
from crmkit.services.account_ports import StoredPolicy
from crmkit.testing.account_strategies import (
    amounts,
    customer_accounts,
    holds,
    journal_entries,
    rebate_grants,
)
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


def _outcome(load: Any, row: dict[str, Any]) -> tuple[Any, ...]:
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
