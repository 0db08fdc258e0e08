"""Record type declarations, query planning, prefixes and cursors (pure domain)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import ConfigurationError, TenantId, ValidationError
from crmkit.domain.record_query import (
    Between,
    Equals,
    Op,
    StartsWith,
    custom,
    decode_cursor,
    encode_cursor,
    plan_query,
    prefix_upper_bound,
)
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.testing.record_kits import SAMPLE_RECORDS
from crmkit.testing.strategies import texts


@attrs.frozen
class Note:
    """A tiny record class for declaration tests."""

    id: str
    tenant_id: TenantId
    title: str
    version: int = 1


class TestDeclarations:
    """A declaration must cover the record class exactly."""

    def test_a_complete_declaration_is_accepted(self) -> None:
        """Every attribute declared once: storage names follow the declaration."""
        notes = RecordType(
            Note, entity="Note", name="note", fields=(text("id", 32), text("title", 50))
        )
        assert (notes.table_name, notes.collection_name) == ("crmkit_note", "crmkit_notes")

    def test_a_missing_attribute_is_a_configuration_error(self) -> None:
        """Leaving an attribute undeclared fails when the declaration is made."""
        with pytest.raises(ConfigurationError):
            RecordType(Note, entity="Note", name="note", fields=(text("id", 32),))

    def test_a_non_text_key_is_refused(self) -> None:
        """Keys are text on every backend."""
        with pytest.raises(ConfigurationError):
            RecordType(
                Note,
                entity="Note",
                name="note",
                key="title",
                fields=(text("id", 32), scalar("title", FieldKind.INTEGER)),
            )

    def test_a_nullable_unique_field_is_refused(self) -> None:
        """SQL and MongoDB disagree on repeated NULLs, so unique fields have values."""
        with pytest.raises(ConfigurationError):
            RecordType(
                Note,
                entity="Note",
                name="note",
                fields=(text("id", 32), text("title", 50, nullable=True)),
                unique=(("title",),),
            )


class TestPlans:
    """plan_query checks every filter value and field before a backend sees it."""

    def plan(self, *filters: object, order_by: str | None = None) -> object:
        return plan_query(
            SAMPLE_RECORDS, {"size": "number"}, filters, order_by=order_by, after=None, limit=10
        )

    @pytest.mark.parametrize(
        "bad",
        [
            Equals("amount", 1.5),
            Equals("amount", Decimal("1.005")),
            Equals("count", True),
            Equals("count", "1"),
            Equals("due", datetime(2026, 1, 1, tzinfo=UTC)),
            Equals("code", {"$ne": None}),
            Equals("note", "unindexed"),
            Between(custom("size"), "a"),
            StartsWith("count", "1"),
            "code = 'x'",
        ],
    )
    def test_values_of_the_wrong_type_are_refused(self, bad: object) -> None:
        """Floats, bools for numbers, dicts, unindexed fields, raw strings: ValidationError."""
        with pytest.raises(ValidationError):
            self.plan(bad)

    def test_ordering_by_a_custom_field_keeps_only_records_with_a_value(self) -> None:
        """The plan adds a not-empty condition on the custom field it orders by."""
        plan = self.plan(order_by=custom("size"))
        assert [c.op for c in plan.conditions] == [Op.NOT_EMPTY]  # type: ignore[attr-defined]

    def test_a_nullable_field_cannot_order(self) -> None:
        """Backends place NULLs differently, so nullable fields do not order listings."""
        with pytest.raises(ValidationError):
            self.plan(order_by="due")


class TestPrefixes:
    """A prefix becomes an index range that holds exactly the texts starting with it."""

    @given(st.text(min_size=1, max_size=4), st.text(max_size=6))
    def test_the_range_matches_startswith(self, prefix: str, text_value: str) -> None:
        """prefix <= s < upper exactly when s starts with prefix (code point order)."""
        upper = prefix_upper_bound(prefix)
        inside = prefix <= text_value and (upper is None or text_value < upper)
        assert inside == text_value.startswith(prefix)

    def test_surrogates_are_skipped(self) -> None:
        """The bound never holds a surrogate, which no backend can store."""
        assert prefix_upper_bound("a\ud7ff") == "a\ue000"
        assert prefix_upper_bound("\U0010ffff") is None


class TestCursors:
    """Cursors carry typed values and are refused when forged or from another listing."""

    @given(st.integers(-(2**63), 2**63 - 1), texts(128))
    def test_cursors_round_trip(self, number: int, key: str) -> None:
        """What encode_cursor packs, decode_cursor unpacks unchanged."""
        kinds = [FieldKind.INTEGER, FieldKind.TEXT]
        assert decode_cursor(encode_cursor([number, key], kinds), kinds, "X") == (number, key)

    def test_typed_values_round_trip(self) -> None:
        """Decimals keep their exponent; dates and datetimes come back equal."""
        values = (Decimal("1.50"), date(2026, 1, 2), datetime(2026, 1, 2, 3, tzinfo=UTC))
        kinds = [FieldKind.DECIMAL, FieldKind.DATE, FieldKind.DATETIME]
        decoded = decode_cursor(encode_cursor(values, kinds), kinds, "X")
        assert decoded == values
        assert str(decoded[0]) == "1.50"

    @pytest.mark.parametrize("cursor", ["", "%%%", "bnVsbA==", 5, None])
    def test_forged_cursors_are_refused(self, cursor: object) -> None:
        """Anything not made by encode_cursor for this order raises ValidationError."""
        with pytest.raises(ValidationError):
            decode_cursor(cursor, [FieldKind.TEXT], "X")

    def test_a_cursor_of_another_order_is_refused(self) -> None:
        """A cursor made for (integer, text) does not continue a listing by text."""
        cursor = encode_cursor([1, "a"], [FieldKind.INTEGER, FieldKind.TEXT])
        with pytest.raises(ValidationError):
            decode_cursor(cursor, [FieldKind.TEXT], "X")
