"""The rest of the kernel: quantities, texts, timestamps, errors, cursors, fingerprints."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import crmkit.domain.errors as errors_module
from crmkit.domain import (
    CrmkitError,
    FloatNotAllowed,
    NotFound,
    Product,
    Quantity,
    TenantId,
    UnitMismatch,
    ValidationError,
    tenant_id,
    utc_millis,
)
from crmkit.services.idempotency import fingerprint
from crmkit.services.pagination import check_page_size, decode_cursor, encode_cursor

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class TestQuantity:
    """Quantities are exact and keep their unit."""

    def test_adds_within_a_unit(self) -> None:
        """1.5 kg + 2.25 kg = 3.75 kg."""
        assert Quantity("1.5", "kg") + Quantity("2.25", "kg") == Quantity("3.75", "kg")

    def test_refuses_mixing_units_and_floats(self) -> None:
        """kg + pcs raises UnitMismatch; a float raises FloatNotAllowed."""
        with pytest.raises(UnitMismatch):
            _ = Quantity(1, "kg") + Quantity(1, "pcs")
        with pytest.raises(FloatNotAllowed):
            Quantity(1.5, "kg")


class TestProductRules:
    """A product validates its fields when made and when changed."""

    def test_strips_text_and_normalises_the_tax_rate(self) -> None:
        """Surrounding spaces go; the tax rate gets four decimals."""
        product = Product.new(
            TenantId("t"), sku="  A-1 ", name=" Tea ", unit="box", tax_rate="0.13", now=T0
        )
        assert (product.sku, product.name) == ("A-1", "Tea")
        assert str(product.tax_rate) == "0.1300"

    @pytest.mark.parametrize(
        "fields",
        [
            {"sku": ""},
            {"sku": "A\x00B"},
            {"sku": "line\nbreak"},
            {"name": "x" * 201},
            {"tax_rate": "-0.01"},
            {"tax_rate": "1.0001"},
            {"tax_rate": "0.00001"},
            {"unit": ""},
        ],
    )
    def test_refuses_invalid_fields(self, fields: dict[str, str]) -> None:
        """Empty or control-character SKUs, long names, bad tax rates are refused."""
        values: dict[str, Any] = {"sku": "A", "name": "Tea", "unit": "box", "tax_rate": "0.13"}
        values |= fields
        with pytest.raises(ValidationError):
            Product.new(TenantId("t"), now=T0, **values)

    def test_refuses_changing_identity_fields(self) -> None:
        """id, tenant, timestamps and version cannot be changed through changed()."""
        product = Product.new(TenantId("t"), sku="A", name="Tea", unit="box", tax_rate=0, now=T0)
        with pytest.raises(ValidationError):
            product.changed(T0, tenant_id="other")

    def test_refuses_naive_timestamps(self) -> None:
        """A datetime without a time zone is refused."""
        with pytest.raises(ValidationError):
            Product.new(
                TenantId("t"),
                sku="A",
                name="Tea",
                unit="box",
                tax_rate=0,
                now=datetime(2026, 1, 1),  # noqa: DTZ001 - the naive datetime under test
            )


class TestTimestamps:
    """Stored timestamps are UTC milliseconds."""

    @given(moment=st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))))
    def test_truncates_to_milliseconds_in_utc(self, moment: datetime) -> None:
        """Any aware datetime becomes the same instant, in UTC, to the millisecond below."""
        stored = utc_millis(moment)
        assert stored.tzinfo == UTC
        assert stored.microsecond % 1000 == 0
        assert timedelta(0) <= moment - stored < timedelta(milliseconds=1)


class TestErrors:
    """One hierarchy, stable and distinct codes, messages that name the record."""

    def test_every_error_has_its_own_code(self) -> None:
        """All error classes derive from CrmkitError and no two share a code."""
        classes = [
            c
            for _, c in inspect.getmembers(errors_module, inspect.isclass)
            if issubclass(c, CrmkitError)
        ]
        codes = [c.code for c in classes]
        assert len(classes) >= 10
        assert len(codes) == len(set(codes))

    def test_messages_name_the_record_and_what_to_do(self) -> None:
        """NotFound names entity, key, value and tenant, and carries them as details."""
        error = NotFound("Product", "sku", "TEA-1", "acme")
        assert "Product" in str(error)
        assert "'TEA-1'" in str(error)
        assert "'acme'" in str(error)
        assert error.details == {
            "entity": "Product",
            "key": "sku",
            "value": "TEA-1",
            "tenant_id": "acme",
        }

    def test_tenant_ids_are_validated(self) -> None:
        """Blank tenant ids are refused."""
        with pytest.raises(ValidationError):
            tenant_id("   ")


class TestCursorsAndFingerprints:
    """Opaque cursors and request fingerprints."""

    @given(key=st.lists(st.text(), min_size=1, max_size=3))
    def test_cursors_round_trip(self, key: list[str]) -> None:
        """decode(encode(key)) is key for any strings."""
        assert decode_cursor(encode_cursor(key), len(key)) == key

    @pytest.mark.parametrize("bad", ["", "not base64!", encode_cursor(["a", "b"])])
    def test_foreign_cursors_are_refused(self, bad: str) -> None:
        """Garbage, or a cursor of another listing, is a ValidationError."""
        with pytest.raises(ValidationError):
            decode_cursor(bad, 1)

    @pytest.mark.parametrize("size", [0, -1, 501])
    def test_page_sizes_are_bounded(self, size: int) -> None:
        """Page sizes outside 1..500 are refused."""
        with pytest.raises(ValidationError):
            check_page_size(size)

    def test_fingerprints_compare_decimals_by_value(self) -> None:
        """1.0 and 1.00 give one fingerprint; 1 and 2 do not; key order does not matter."""
        assert fingerprint("op", {"a": Decimal("1.0"), "b": 2}) == fingerprint(
            "op", {"b": 2, "a": Decimal("1.00")}
        )
        assert fingerprint("op", {"a": Decimal(1)}) != fingerprint("op", {"a": Decimal(2)})
        assert fingerprint("op", {"a": 1}) != fingerprint("other", {"a": 1})
