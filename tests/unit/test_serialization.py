"""crmkit.serialization turns every record and result to JSON and back."""

from __future__ import annotations

import contextlib
import io
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import crmkit.domain
import crmkit.domain.inventory
from crmkit import Crm, FixedClock, Money
from crmkit.adapters.memory import InMemoryStorage
from crmkit.adapters.memory.tables import MemoryTable
from crmkit.catalog import Product
from crmkit.demo import run
from crmkit.errors import ValidationError
from crmkit.serialization import from_json, to_data, to_json
from crmkit.testing.contracts.support import canonical
from tests.docs.test_examples import runnable_blocks

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"
NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


def stored_records() -> list[object]:
    """Every record the demo's order flow leaves in an in-memory store."""
    storage = InMemoryStorage()
    with contextlib.redirect_stdout(io.StringIO()):
        run(Crm(storage, FixedClock(NOW)), "acme")
    tables = [t for t in vars(storage.store).values() if isinstance(t, MemoryTable)]
    return [row for table in tables for row in table.rows.values()]


RECORDS = stored_records()


class TestRoundTrip:
    """to_json then from_json gives back an identical record."""

    @pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
    def test_every_stored_record_round_trips(self, record: object) -> None:
        """Each record of the order flow loads back identical (same digits, same offsets)."""
        loaded = from_json(to_json(record), type(record))
        assert canonical(loaded) == canonical(record)

    def test_the_order_flow_covers_every_record_type(self) -> None:
        """The demo leaves at least one record of each stored type, so none is untested."""
        kinds = {type(r).__name__ for r in RECORDS}
        expected = {"Product", "PriceList", "PriceEntry", "Quote", "SalesOrder", "Warehouse",
                    "StockLevel", "Movement", "Reservation", "InboundOrder", "DeliveryNote",
                    "CustomerAccount", "RebateGrant", "Hold", "JournalEntry", "ProcessedRequest",
                    "StoredPolicy"}  # fmt: skip
        assert expected - kinds == set()

    def test_results_round_trip(self) -> None:
        """A result value (Money) round-trips as well as records do."""
        assert from_json(to_json(Money("19.990", "CNY")), Money) == Money("19.990", "CNY")


class TestJsonForm:
    """The JSON form is the documented one."""

    def test_decimals_are_strings_datetimes_iso_enums_values(self) -> None:
        """Decimal as string with its digits, datetime ISO 8601 with offset, enum by value."""
        product = next(r for r in RECORDS if isinstance(r, Product))
        data = to_data(product)
        assert data["tax_rate"] == str(product.tax_rate)
        assert data["created_at"] == product.created_at.isoformat()
        assert isinstance(json.loads(to_json(Money(Decimal("1.50"), "CNY")))["amount"], str)
        movement = next(r for r in RECORDS if isinstance(r, crmkit.domain.inventory.Movement))
        assert to_data(movement)["kind"] == movement.kind.value

    def test_bad_text_is_a_validation_error(self) -> None:
        """Text that is not JSON, or not the record, raises ValidationError."""
        with pytest.raises(ValidationError):
            from_json("{", Product)
        with pytest.raises(ValidationError):
            from_json('{"sku": 1}', Product)


def tutorial_results(folder: Path) -> dict[str, object]:
    """The results the tutorial's order flow returns (run in ``folder``)."""
    namespace: dict[str, Any] = {}
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for code in runnable_blocks(TUTORIAL)[:-1]:  # all but the closing block
                exec(compile(code, str(TUTORIAL), "exec"), namespace)
    finally:
        os.chdir(cwd)
    shop, tea, account = namespace["shop"], namespace["tea"], namespace["account"]
    return {
        "Resolution": shop.pricing.resolve(namespace["dealer"], tea.id, 24, currency="CNY"),
        "ReservationResult": namespace["reserved"],
        "Movement": namespace["held"],
        "ProductAvailability": shop.inventory.availability([tea.id])[tea.id],
        "FundSummary": next(iter(shop.accounts.fund_summaries(account.id).values())),
        "Statement": shop.accounts.statement(account.id),
        "DocumentTotals": namespace["order"].totals(),
    }


@pytest.mark.sqlite
class TestResultsRoundTrip:
    """Service results (not only stored records) go to JSON and back."""

    def test_every_result_of_the_order_flow_round_trips(self, tmp_path: Path) -> None:
        """Resolution, reservation, hold, availability, summaries, statement, totals."""
        results = tutorial_results(tmp_path)
        assert {type(r).__name__ for r in results.values()} == set(results)
        for result in results.values():
            loaded = from_json(to_json(result), type(result))
            assert canonical(loaded) == canonical(result)
