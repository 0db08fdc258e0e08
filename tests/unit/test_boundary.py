"""Service calls check every argument by its annotation before any work."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crmkit import open_crm
from crmkit.domain import FloatNotAllowed, ProductId, ValidationError
from crmkit.front_office import CUSTOMERS
from crmkit.services.boundary import checked_calls
from crmkit.testing.hostile import parameters, service_calls, service_type


@attrs.frozen
class Line:
    """A record handed in by a caller."""

    product_id: ProductId
    quantity: Decimal | int | str


@checked_calls
class Echo:
    """A service whose calls return what reached them."""

    def ids(self, product_id: ProductId, order: str, *, key: str) -> tuple[str, str, str]:
        """Ids and a request key."""
        return product_id, order, key

    def text(self, name: str, note: str | None = None) -> tuple[str, str | None]:
        """Free text."""
        return name, note

    def numbers(self, amount: Decimal | int | str, limit: int) -> tuple[object, int]:
        """A number and an int."""
        return amount, limit

    def lines(self, lines: Sequence[Line], by_no: Mapping[int, Decimal | int | str]) -> object:
        """Records and a mapping."""
        return lines, by_no

    def when(self, at: datetime) -> datetime:
        """A datetime."""
        return at


class TestIdsAndKeys:
    """Ids and keys are text, bounded and cleaned the same way on every call."""

    def test_ids_are_stripped_like_stored_ids(self) -> None:
        """Surrounding whitespace is removed, so a lookup finds what a write stored."""
        assert Echo().ids(ProductId(" p1 "), " ORD-1 ", key=" k ") == ("p1", "ORD-1", "k")

    @pytest.mark.parametrize(
        "bad", [{"$gt": ""}, ["a"], 5, None, b"p", "", "x" * 129, "a\x00b", "\ud800"]
    )
    def test_ids_of_the_wrong_type_or_form_are_refused(self, bad: object) -> None:
        """Mappings, lists, ints, bytes, None, empty, long or control text: ValidationError."""
        with pytest.raises(ValidationError):
            Echo().ids(bad, "ORD-1", key="k")  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            Echo().ids(ProductId("p"), bad, key="k")  # type: ignore[arg-type]

    def test_missing_or_unknown_arguments_are_validation_errors(self) -> None:
        """A call that does not bind to the signature is refused, not a TypeError."""
        with pytest.raises(ValidationError):
            Echo().ids(ProductId("p"), "o")  # type: ignore[call-arg]


class TestTextAndNumbers:
    """Text and numbers are checked by type and range before any arithmetic."""

    def test_text_is_kept_verbatim(self) -> None:
        """Free text passes unchanged (the domain cleans it by its own rules)."""
        assert Echo().text(" a 'b' $gt ", None) == (" a 'b' $gt ", None)

    @pytest.mark.parametrize("bad", [5, {"a": 1}, "a\x00", "x\udfff", "x" * 10_001])
    def test_unstorable_text_is_refused(self, bad: object) -> None:
        """Non-text, NUL, unpaired surrogates and huge text are refused."""
        with pytest.raises(ValidationError):
            Echo().text(bad)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "bad",
        ["NaN", Decimal("Infinity"), Decimal("1E+1000000"), "1" * 19, "1e18", True, [], "abc"],
    )
    def test_malformed_or_huge_numbers_are_refused(self, bad: object) -> None:
        """NaN, infinities, 10**18 and more, bools and non-numbers: ValidationError."""
        with pytest.raises(ValidationError):
            Echo().numbers(bad, 1)  # type: ignore[arg-type]

    def test_floats_are_refused_as_floats(self) -> None:
        """A float is FloatNotAllowed, a ValidationError."""
        with pytest.raises(FloatNotAllowed):
            Echo().numbers(1.5, 1)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [True, "1", 1.0, 2**63])
    def test_ints_are_exactly_ints_within_64_bits(self, bad: object) -> None:
        """Bools, strings, floats and ints beyond 64 bits are refused for an int."""
        with pytest.raises(ValidationError):
            Echo().numbers(1, bad)  # type: ignore[arg-type]


class TestRecordsAndCollections:
    """Records are checked field by field, collections item by item."""

    def test_record_fields_are_checked_and_ids_cleaned(self) -> None:
        """A record's id is cleaned; a mapping in a record is refused."""
        checked = Echo().lines([Line(ProductId(" p "), "1")], {1: "2"})
        assert checked == ([Line(ProductId("p"), "1")], {1: "2"})
        with pytest.raises(ValidationError):
            Echo().lines([Line({"$gt": ""}, "1")], {})  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", ["text", {"a": 1}, 5, None, [5]])
    def test_collections_of_the_wrong_shape_are_refused(self, bad: object) -> None:
        """Text, mappings, scalars or wrong items where a sequence of records is due."""
        with pytest.raises(ValidationError):
            Echo().lines(bad, {})  # type: ignore[arg-type]

    def test_mapping_keys_are_checked(self) -> None:
        """A mapping of line numbers refuses a text key."""
        with pytest.raises(ValidationError):
            Echo().lines([], {"1": "2"})  # type: ignore[dict-item]

    def test_datetimes_must_be_datetimes(self) -> None:
        """A string where a datetime is due is refused."""
        with pytest.raises(ValidationError):
            Echo().when("2026-01-01")  # type: ignore[arg-type]


class TestDatesAndGenericClasses:
    """A date is not a datetime; a generic class's parameter takes an instance of it."""

    def test_a_datetime_given_for_a_date_is_refused(self) -> None:
        """``raise_reminders(as_of=datetime)`` once failed with TypeError deep inside."""

        plans = open_crm("memory://").tenant("t1").plans
        with pytest.raises(ValidationError, match="as_of must be a date"):
            plans.raise_reminders(datetime(2026, 1, 5, tzinfo=UTC))
        assert plans.raise_reminders(date(2026, 1, 5)) == []

    @pytest.mark.parametrize("bad", ["customers", None, object(), 5])
    def test_a_record_type_parameter_takes_a_record_type_only(self, bad: object) -> None:
        """``fields_of`` of a non-record-type once raised AttributeError."""

        fields = open_crm("memory://").tenant("t1").custom_fields
        with pytest.raises(ValidationError, match="record_type must be a RecordType"):
            fields.fields_of(bad)  # type: ignore[arg-type]  # hostile on purpose
        assert fields.fields_of(CUSTOMERS) == []


def _bare_decimals(annotation: object) -> bool:
    """Whether ``annotation`` holds a ``Decimal`` that is not ``Decimal | int | str``."""
    members = typing.get_args(annotation)
    if typing.get_origin(annotation) in {typing.Union, types.UnionType} and Decimal in members:
        return not {int, str} <= set(members)
    return annotation is Decimal or any(_bare_decimals(member) for member in members)


def test_every_number_argument_takes_decimal_int_or_str() -> None:
    """Money amounts, quantities and percents are ``Decimal | int | str`` in every service
    (``Money`` arguments carry their currency and take the same amounts)."""
    bare = [
        f"{service}.{method}({parameter.name})"
        for service, method in service_calls()
        for parameter, annotation in parameters(getattr(service_type(service), method))
        if _bare_decimals(annotation)
    ]
    assert bare == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Echo().ids(ProductId("p1"), {"$gt": ""}, key="k"), "order"),  # type: ignore[arg-type]
        (lambda: Echo().ids(ProductId("p1"), "o", key=""), "key"),
        (lambda: Echo().text(5), "name"),  # type: ignore[arg-type]
        (lambda: Echo().numbers(1.5, 1), "amount"),  # type: ignore[arg-type]
        (lambda: Echo().numbers("1", True), "limit"),
        (lambda: Echo().lines([Line(ProductId("p"), "NaN")], {}), "lines"),
    ],
)
def test_a_refused_argument_is_named_in_field(call: Any, field: str) -> None:
    """Every boundary refusal carries ``field``: the argument it is about."""
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.field == field
