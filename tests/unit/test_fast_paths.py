"""Checks with a fast path for plain values give what the full check gives, for any value."""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from crmkit.domain import CrmkitError, ProductId
from crmkit.domain.decimals import MAX_INTEGER_DIGITS
from crmkit.domain.ids import RECORD_ID_MAX_LENGTH, record_id, record_ids
from crmkit.domain.price_list import MAX_QUANTITY, item_quantities, quantity
from crmkit.services.boundary import check_for

T = typing.TypeVar("T")

clean_ids = st.from_regex(r"[a-z0-9][a-z0-9 -]{0,8}[a-z0-9]", fullmatch=True)
"""Ids that pass as they are (the fast path's own)."""

edge_ids = st.sampled_from(
    ["p", " p", "p ", "p\x00", "p\t1", "é", "p\ud800", "", "\u3000p", "x" * 128, "x" * 129]
)
"""Ids at the edges of the fast path."""

ids = st.one_of(
    clean_ids,
    edge_ids,
    st.text(max_size=RECORD_ID_MAX_LENGTH + 2),  # any characters: controls, surrogates
    st.text("ab 1-\t\x00", max_size=6),  # spaces and controls at either end
    st.text(st.characters(codec="ascii"), min_size=RECORD_ID_MAX_LENGTH - 1, max_size=130),
    st.integers(),
    st.none(),
    st.binary(max_size=3),
    st.lists(st.text(max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=1),
    st.decimals(allow_nan=True, allow_infinity=True),
)
"""Anything a caller might hand in as an id."""

edge_numbers = st.sampled_from(
    [
        *(MAX_QUANTITY, MAX_QUANTITY - 1, Decimal("-0"), Decimal("0.00"), Decimal("1E+11")),
        *(Decimal(10) ** MAX_INTEGER_DIGITS, Decimal(10) ** MAX_INTEGER_DIGITS - 1),
        *(Decimal("9.9E+17"), Decimal("-1E+18"), Decimal("sNaN"), Decimal("-Infinity")),
        *(Decimal(1), Decimal("1.0"), Decimal("1E+1"), Decimal("01"), Decimal("0E+2")),
    ]
)
"""Numbers at the edges of the fast paths."""

numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),  # any sign, exponent, NaN, sNaN
    st.integers(-(10**13), 10**13).map(Decimal),
    st.integers(0, 10**13).map(lambda n: Decimal(n).scaleb(-4)),  # 1.0000, trailing zeros
    st.integers(0, 10**4).flatmap(  # 1E+2, 0E-3, 12.50: other forms of whole numbers
        lambda n: st.integers(-6, 12).map(lambda e: Decimal(n).scaleb(e))
    ),
    edge_numbers,
    st.integers(-(10**19), 10**19),
    st.text("0123456789.-+eE", max_size=8),
    st.floats(),
    st.booleans(),
    st.none(),
)
"""Anything a caller might hand in as a quantity or amount."""


def outcome(action: Callable[[], T]) -> tuple[str, object]:
    """What ``action`` returns, or the kind, message and details of the crmkit error it
    raises: what a caller can see."""
    try:
        result = action()
    except CrmkitError as error:
        return "error", (type(error), str(error), error.details)
    return "value", result


def alike(value: object) -> object:
    """``value`` with each Decimal shown with its exponent (``7`` and ``7.0`` compare
    equal; a fast path must return the same form)."""
    if isinstance(value, Decimal):
        return ("decimal", str(value))
    if isinstance(value, list | tuple):
        return [alike(item) for item in value]
    return value


class TestRecordIds:
    @settings(max_examples=500)
    @given(edge_ids | ids)
    @example("p ")  # the fast path's edges
    @example(" p")
    @example("x" * RECORD_ID_MAX_LENGTH)
    @example("x" * (RECORD_ID_MAX_LENGTH + 1))
    @example("")
    def test_record_ids_is_record_id_of_any_value(self, value: object) -> None:
        """``record_ids`` of one value gives ``record_id`` of it, or its error."""
        assert outcome(lambda: record_ids([value], "Product id")) == outcome(
            lambda: [record_id(value, "Product id")]
        )

    @given(st.lists(edge_ids | ids, max_size=4))
    def test_record_ids_is_record_id_of_each(self, values: list[object]) -> None:
        """``record_ids`` gives ``record_id`` of each value, or the first one's error."""

        def one_by_one() -> list[str]:
            return [record_id(value, "Product id") for value in values]

        assert outcome(lambda: record_ids(values, "Product id")) == outcome(one_by_one)


class TestItemQuantities:
    @settings(max_examples=1000)
    @given(edge_numbers | numbers)
    @example(MAX_QUANTITY)  # the fast path's edges
    @example(MAX_QUANTITY - 1)
    @example(Decimal("0"))
    @example(Decimal("1.0"))
    @example(Decimal("1E+1"))
    def test_item_quantities_is_quantity_of_any_amount(self, amount: object) -> None:
        """``item_quantities`` of one item gives its key with ``quantity`` of its amount
        (the same form too), or the error ``quantity`` raises."""
        fast = outcome(lambda: item_quantities([("p", amount)]))
        full = outcome(lambda: [("p", quantity(amount))])
        assert fast == full
        assert alike(fast[1]) == alike(full[1])

    @given(st.lists(edge_numbers | numbers, max_size=4))
    def test_item_quantities_is_quantity_of_each(self, amounts: list[object]) -> None:
        """``item_quantities`` gives each key with ``quantity`` of its amount, or the first
        error ``quantity`` raises."""
        items = [(f"p{n}", amount) for n, amount in enumerate(amounts)]

        def one_by_one() -> list[tuple[str, Decimal]]:
            return [(key, quantity(amount)) for key, amount in items]

        fast, full = outcome(lambda: item_quantities(items)), outcome(one_by_one)
        assert fast == full
        assert alike(fast[1]) == alike(full[1])


ITEMS = Sequence[tuple[ProductId, Decimal | int | str]]


class TestIdAndNumberItems:
    @settings(max_examples=1000)
    @given(
        st.tuples(clean_ids | edge_ids, edge_numbers | numbers)
        | st.tuples(ids, numbers)
        | st.tuples(ids, numbers, numbers)
        | st.tuples(ids)
        | ids
        | st.lists(ids, max_size=2)
    )
    @example(("p", Decimal(10) ** MAX_INTEGER_DIGITS))  # the fast path's edges
    @example(("p", Decimal(10) ** MAX_INTEGER_DIGITS - 1))
    @example(("p ", Decimal(1)))
    @example((" p", Decimal(1)))
    @example(("p\x00", Decimal(1)))
    @example(("x" * (RECORD_ID_MAX_LENGTH + 1), Decimal(1)))
    @example(("p", Decimal("NaN")))
    def test_items_check_is_the_pair_check_of_any_item(self, item: object) -> None:
        """The check of ``Sequence[tuple[ProductId, Decimal | int | str]]`` of one item
        gives the check of ``tuple[ProductId, Decimal | int | str]`` of it (the same
        forms), or its error."""
        check, each = check_for(ITEMS, "items"), check_for(typing.get_args(ITEMS)[0], "items")
        fast = outcome(lambda: check([item], "items"))
        full = outcome(lambda: [each(item, "items item")])
        assert fast == full
        assert alike(fast[1]) == alike(full[1])

    @given(st.lists(st.tuples(clean_ids | edge_ids, edge_numbers | numbers) | ids, max_size=4))
    def test_items_check_is_the_pair_check_of_each(self, items: list[object]) -> None:
        """The same for several items: each item's check, or the first error."""
        check, each = check_for(ITEMS, "items"), check_for(typing.get_args(ITEMS)[0], "items")

        def one_by_one() -> list[object]:
            return [each(item, "items item") for item in items]

        fast, full = outcome(lambda: check(items, "items")), outcome(one_by_one)
        assert fast == full
        assert alike(fast[1]) == alike(full[1])
