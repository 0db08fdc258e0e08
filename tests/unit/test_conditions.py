"""The condition language: evaluation against a brute-force reference, the JSON round trip,
and the checks made when a rule is saved."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import TenantId
from crmkit.domain.conditions import (
    All,
    AnyOf,
    Between,
    ChangedTo,
    Compare,
    Comparison,
    Condition,
    ConditionValue,
    DaysFromNow,
    In,
    InvalidCondition,
    IsEmpty,
    Not,
    check_condition,
    condition_fields,
    condition_from_json,
    condition_to_json,
    eq,
    evaluate,
    gt,
    le,
    lt,
    record_values,
)
from crmkit.domain.custom_fields import CustomFieldDefinition, CustomFieldKind
from crmkit.domain.front_office.leads import LEADS, Lead, LeadSource
from crmkit.domain.records import FieldKind

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIELDS = ("a", "b", "c")


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


# --- a brute-force reference: every value reduced to (family, exact key) -------------


def _key(value: object) -> tuple[str, object] | None:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return ("bool", int(value))
    if isinstance(value, int | Decimal):
        return ("number", Fraction(value))
    if isinstance(value, str):
        return ("text", tuple(ord(ch) for ch in value))
    if isinstance(value, datetime):
        return ("datetime", (value - EPOCH) // timedelta(microseconds=1))
    if isinstance(value, date):
        return ("date", value.toordinal())
    return None


def _ref_compare(left: object, op: Comparison, right: object) -> bool:
    a, b = _key(left), _key(right)
    same = a is not None and b is not None and a[0] == b[0]
    if op is Comparison.EQ:
        return same and a == b
    if op is Comparison.NE:
        return not (same and a == b)
    if not same or a is None or b is None or a[0] == "bool":
        return False
    x, y = a[1], b[1]
    table: dict[Comparison, bool] = {
        Comparison.LT: x < y,  # type: ignore[operator]
        Comparison.LE: x < y or x == y,  # type: ignore[operator]
        Comparison.GT: y < x,  # type: ignore[operator]
        Comparison.GE: y < x or x == y,  # type: ignore[operator]
    }
    return table[op]


def reference(  # noqa: PLR0911 - one case per node
    c: Condition, values: Mapping[str, object], previous: Mapping[str, object] | None
) -> bool:
    """What ``evaluate`` must answer, computed the slow, obvious way."""
    if isinstance(c, All):
        return not [p for p in c.conditions if not reference(p, values, previous)]
    if isinstance(c, AnyOf):
        return len([p for p in c.conditions if reference(p, values, previous)]) > 0
    if isinstance(c, Not):
        return reference(c.condition, values, previous) is False
    current = values.get(c.field)
    if isinstance(c, Compare):
        return _ref_compare(current, c.op, c.value)
    if isinstance(c, In):
        return any(_ref_compare(current, Comparison.EQ, v) for v in c.values)
    if isinstance(c, Between):
        return _ref_compare(current, Comparison.GE, c.low) and _ref_compare(
            current, Comparison.LE, c.high
        )
    if isinstance(c, IsEmpty):
        return current is None or (isinstance(current, str) and all(ch.isspace() for ch in current))
    if isinstance(c, ChangedTo):
        before = None if previous is None else previous.get(c.field)
        now_is = _ref_compare(current, Comparison.EQ, c.value)
        return now_is and (previous is None or not _ref_compare(before, Comparison.EQ, c.value))
    key = _key(current)
    if key is None or key[0] not in {"date", "datetime"}:
        return c.op is Comparison.NE
    target: object
    if key[0] == "date":
        target = date.fromordinal(NOW.date().toordinal() + c.days)
    else:
        micros = (NOW - EPOCH) // timedelta(microseconds=1) + c.days * 86_400 * 10**6
        target = EPOCH + timedelta(microseconds=micros)
    return _ref_compare(current, c.op, target)


# --- strategies: a few fields, a small universe of values of every kind --------------

UNIVERSE: tuple[ConditionValue, ...] = (
    -1,
    0,
    1,
    Decimal("-0.5"),
    Decimal("0.50"),
    Decimal("1.00"),
    Decimal(2),
    "",
    " ",
    "red",
    "blue",
    "Red",
    False,
    True,
    *(NOW.date() + timedelta(days=d) for d in range(-2, 3)),
    *(NOW + timedelta(days=d, hours=d % 2) for d in range(-2, 3)),
)
"""A small universe of every kind, so that equal and neighbouring values meet often."""
RECORD_UNIVERSE: tuple[object, ...] = (*UNIVERSE, None, Colour.RED, Colour.BLUE)
values_st: st.SearchStrategy[ConditionValue] = st.sampled_from(UNIVERSE)
record_value_st = st.sampled_from(RECORD_UNIVERSE)
field_st = st.sampled_from(FIELDS)
ops = st.sampled_from(list(Comparison))

leaf_st: st.SearchStrategy[Condition] = st.one_of(
    st.builds(Compare, field_st, ops, values_st),
    st.builds(In, field_st, st.lists(values_st, min_size=1, max_size=3).map(tuple)),
    st.builds(Between, field_st, values_st, values_st),
    st.builds(IsEmpty, field_st),
    st.builds(ChangedTo, field_st, values_st),
    st.builds(DaysFromNow, field_st, ops, st.integers(-3, 3)),
)
condition_st: st.SearchStrategy[Condition] = st.recursive(
    leaf_st,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda cs: All(tuple(cs))),
        st.lists(inner, max_size=3).map(lambda cs: AnyOf(tuple(cs))),
        inner.map(Not),
    ),
    max_leaves=8,
)
record_st = st.dictionaries(field_st, record_value_st)


class TestEvaluation:
    """The evaluator agrees with the reference, and reads as documented."""

    @settings(max_examples=300)
    @given(condition_st, record_st, st.one_of(st.none(), record_st))
    def test_agrees_with_the_brute_force_reference(
        self, c: Condition, values: dict[str, object], previous: dict[str, object] | None
    ) -> None:
        """Every condition answers as the reference does, for any record and previous version."""
        assert evaluate(c, values, now=NOW, previous=previous) == reference(c, values, previous)

    @settings(max_examples=100)
    @given(leaf_st)
    def test_every_leaf_agrees_with_the_reference_on_every_value(self, c: Condition) -> None:
        """Each leaf answers as the reference for every value and previous value of the universe."""
        for value in RECORD_UNIVERSE:
            values = dict.fromkeys(FIELDS, value)
            assert evaluate(c, values, now=NOW) == reference(c, values, None), value
            for before in RECORD_UNIVERSE:
                previous = dict.fromkeys(FIELDS, before)
                got = evaluate(c, values, now=NOW, previous=previous)
                assert got == reference(c, values, previous), (value, before)

    def test_every_leaf_of_the_universe_agrees_with_the_reference(self) -> None:
        """Exhaustively: every comparison, range, change and date leaf over the universe."""
        leaves: list[Condition] = [IsEmpty("a")]
        leaves += [Compare("a", op, v) for op in Comparison for v in UNIVERSE]
        leaves += [Between("a", lo, hi) for lo in UNIVERSE for hi in UNIVERSE]
        leaves += [DaysFromNow("a", op, d) for op in Comparison for d in range(-3, 4)]
        for c in leaves:
            for value in RECORD_UNIVERSE:
                assert evaluate(c, {"a": value}, now=NOW) == reference(c, {"a": value}, None)
        for v in UNIVERSE:
            for value in RECORD_UNIVERSE:
                for before in (*RECORD_UNIVERSE, "new"):
                    c = ChangedTo("a", v)
                    previous = None if before == "new" else {"a": before}
                    got = evaluate(c, {"a": value}, now=NOW, previous=previous)
                    assert got == reference(c, {"a": value}, previous), (v, value, before)

    def test_numbers_compare_across_int_and_decimal(self) -> None:
        """20 and Decimal('20.00') are equal; a discount of 20.01 is above 20."""
        assert evaluate(eq("d", 20), {"d": Decimal("20.00")}, now=NOW)
        assert evaluate(gt("d", Decimal(20)), {"d": Decimal("20.01")}, now=NOW)
        assert not evaluate(gt("d", Decimal(20)), {"d": Decimal("20.00")}, now=NOW)

    def test_empty_and_mismatched_values_never_order(self) -> None:
        """A missing field, or text against a number, is neither below nor above anything."""
        assert not evaluate(lt("d", 5), {}, now=NOW)
        assert not evaluate(gt("d", 5), {"d": "9"}, now=NOW)
        assert evaluate(Not(lt("d", 5)), {}, now=NOW)

    def test_enum_members_compare_by_their_value(self) -> None:
        """A status held as an enum member equals its stored text."""
        assert evaluate(In("status", ("red", "green")), {"status": Colour.RED}, now=NOW)

    def test_changed_to_needs_a_different_previous_value(self) -> None:
        """``ChangedTo`` fires on the change only, and on a new record holding the value."""
        c = ChangedTo("status", "won")
        assert evaluate(c, {"status": "won"}, now=NOW, previous={"status": "open"})
        assert not evaluate(c, {"status": "won"}, now=NOW, previous={"status": "won"})
        assert evaluate(c, {"status": "won"}, now=NOW, previous=None)

    def test_days_from_now_uses_the_clock(self) -> None:
        """A due date within three days of the clock's date matches ``le`` +3; one after, not."""
        c = DaysFromNow("due", Comparison.LE, 3)
        assert evaluate(c, {"due": date(2026, 3, 13)}, now=NOW)
        assert not evaluate(c, {"due": date(2026, 3, 14)}, now=NOW)
        older = DaysFromNow("created_at", Comparison.LT, -30)
        assert evaluate(older, {"created_at": NOW - timedelta(days=31)}, now=NOW)
        assert not evaluate(older, {"created_at": NOW - timedelta(days=29)}, now=NOW)


class TestJson:
    """Conditions travel as JSON and come back exactly."""

    @given(condition_st)
    def test_round_trip_is_exact_through_json_text(self, c: Condition) -> None:
        """``from_json(loads(dumps(to_json(c)))) == c``."""
        text = json.dumps(condition_to_json(c))
        assert condition_from_json(json.loads(text)) == c

    def test_decimal_keeps_its_exponent(self) -> None:
        """Decimal('20.50') stays Decimal('20.50'), not 20.5."""
        back = condition_from_json(condition_to_json(gt("d", Decimal("20.50"))))
        assert isinstance(back, Compare)
        assert str(back.value) == "20.50"

    @pytest.mark.parametrize(
        ("data", "member"),
        [
            ({"op": "gt", "field": "d", "value": 1.5}, "value"),
            ({"op": "gt", "field": "d", "value": {"decimal": "NaN"}}, "value"),
            ({"op": "gt", "field": "d", "value": {"datetime": "2026-01-01T00:00:00"}}, "value"),
            ({"op": "eval", "field": "d", "value": 1}, "op"),
            ({"op": "in", "field": "d", "values": []}, "values"),
            ({"op": "gt", "field": "d", "value": 1, "extra": 1}, "extra"),
            ({"op": "days_from_now", "field": "d", "compare": "le", "days": True}, "days"),
            ({"op": "gt", "field": 7, "value": 1}, "field"),
        ],
    )
    def test_malformed_json_is_refused_naming_the_member(
        self, data: dict[str, object], member: str
    ) -> None:
        """Floats, unknown operators, empty lists and stray members raise InvalidCondition."""
        with pytest.raises(InvalidCondition) as caught:
            condition_from_json(data)
        assert caught.value.code == "invalid_condition"
        assert caught.value.field == member

    def test_deep_nesting_is_refused(self) -> None:
        """A condition nested deeper than the limit is refused, not recursed into."""
        data: dict[str, object] = {"op": "is_empty", "field": "d"}
        for _ in range(100):
            data = {"op": "not", "condition": data}
        with pytest.raises(InvalidCondition):
            condition_from_json(data)


def _definition(key: str, kind: CustomFieldKind, *, record_type: str) -> CustomFieldDefinition:
    return CustomFieldDefinition.new(
        TenantId("t1"),
        record_type=record_type,
        key=key,
        label=key,
        kind=kind,
        now=NOW,
        choices=("north", "south") if kind is CustomFieldKind.CHOICE else (),
    )


class TestCheck:
    """A rule's condition is checked against the record type when it is saved."""

    FIELDS: ClassVar[dict[str, FieldKind]] = {
        "amount": FieldKind.DECIMAL,
        "due": FieldKind.DATE,
        "vip": FieldKind.BOOLEAN,
    }

    def test_a_valid_condition_passes(self) -> None:
        """Known fields compared with values of their kind pass."""
        c = All((gt("amount", 100), DaysFromNow("due", Comparison.LE, 3), eq("vip", True)))
        check_condition(c, self.FIELDS)

    @pytest.mark.parametrize(
        ("c", "field"),
        [
            (gt("amont", 100), "amont"),
            (gt("amount", "100"), "amount"),
            (lt("vip", True), "vip"),
            (DaysFromNow("amount", Comparison.LE, 3), "amount"),
            (Not(In("due", (date(2026, 1, 1), NOW))), "due"),
            (AnyOf((eq("vip", 1),)), "vip"),
        ],
    )
    def test_unknown_fields_and_wrong_types_are_refused(self, c: Condition, field: str) -> None:
        """An unknown field or a value of the wrong kind raises InvalidCondition naming it."""
        with pytest.raises(InvalidCondition) as caught:
            check_condition(c, self.FIELDS)
        assert caught.value.field == field

    def test_fields_of_a_record_type_include_active_custom_fields(self) -> None:
        """Custom fields of the type are ``custom.<key>`` with their storage kind."""
        region = _definition("zone", CustomFieldKind.CHOICE, record_type="lead")
        size = _definition("size", CustomFieldKind.NUMBER, record_type="lead")
        other = _definition("rank", CustomFieldKind.NUMBER, record_type="contact")
        fields = condition_fields(LEADS, [region, size, other])
        assert fields["company"] is FieldKind.TEXT
        assert fields["custom.zone"] is FieldKind.TEXT
        assert fields["custom.size"] is FieldKind.INTEGER
        assert "custom.rank" not in fields
        c = All((In("custom.zone", ("north",)), le("custom.size", 10), eq("status", "new")))
        check_condition(c, fields)
        lead = Lead.new(
            TenantId("t1"), source=LeadSource.CAMPAIGN, company="Acme", email="a@acme.test", now=NOW
        )
        lead = attrs.evolve(lead, custom={"zone": "north", "size": 7})
        assert evaluate(c, record_values(LEADS, lead), now=NOW)
