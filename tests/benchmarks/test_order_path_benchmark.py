"""The order path benchmark's quick mode runs, reports ratios as JSON, and checks results."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from benchmarks.flat_cost import flat_rows
from benchmarks.paired import paired_ratio
from benchmarks.run import CheckFailed, check, main
from sqlalchemy import create_engine, text

from crmkit import open_storage
from crmkit.domain import TenantId
from crmkit.services import Storage
from crmkit.testing.order_support import open_world
from tests.backends import POSTGRES_URL


class TestQuickBenchmark:
    """``python -m benchmarks.run --quick`` on SQLite and memory."""

    def test_prints_every_ratio_and_passes_its_checks(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Exit status 0, one JSON row per case, the ratios with their goals."""
        assert main(["--quick"]) == 0
        rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        cases = {row.get("case") for row in rows}
        assert "memory confirm / sqlite confirm" in cases
        assert "memory pricing / dict-and-Decimal loop" in cases
        assert rows[-1] == {"check": "passed"}
        sqlite = next(
            r for r in rows if r.get("backend") == "sqlite" and r["case"] == "confirm per_s"
        )
        assert sqlite["statements_per_command"] > 0


class TestPairedRatio:
    """crmkit and the hand-written command in turns on PostgreSQL."""

    @pytest.mark.postgres
    @pytest.mark.parametrize("case", ["confirm", "deliver"])
    def test_both_sides_run_and_what_they_wrote_is_checked(
        self, postgres_storage: Storage, case: str
    ) -> None:
        """A ratio of two timed sides; the check sees every order of both."""
        seen: list[int] = []

        def counting_check(storage: Storage, tenant: str, orders: list[str], *rest: object) -> None:
            seen.append(len(orders))
            check(storage, tenant, orders, *rest)  # type: ignore[arg-type]

        assert paired_ratio(POSTGRES_URL, case, 3, counting_check) > 0
        assert seen == [6]


class TestChecks:
    """The checks fail on data that breaks them."""

    def test_an_oversold_stock_level_fails_the_check(self) -> None:
        """A level reserving more than it has on hand is reported."""
        storage = open_storage("memory://")
        world = open_world(storage, stock=(("5",),), products=1)
        tenant = TenantId(world.tenant)
        product = world.products[0].id
        check(storage, tenant, [], [product])
        with storage.unit_of_work(tenant) as uow:
            (level,) = uow.stock_levels.for_products([product])
            uow.stock_levels.save(attrs.evolve(level, reserved=Decimal(6)))
            uow.commit()
        with pytest.raises(CheckFailed, match="oversold"):
            check(storage, tenant, [], [product])


OPERATIONS = ("confirm", "pricing", "reserve", "availability", "fund_summaries", "statement")


class TestFlatCost:
    """``--flat``: every measured operation on two loaded sizes, turn about."""

    def test_every_operation_has_a_row_from_both_sizes(self, tmp_path: Path) -> None:
        """Six rows, each with the sizes asked for and a time from each; the large world
        holds what was loaded (products priced and stocked, the account's entries)."""
        urls = [f"sqlite:///{tmp_path / name}.db" for name in ("small", "large")]
        for url in urls:
            open_storage(url, upgrade_schema=True).close()
        rows = flat_rows(urls[0], urls[1], "sqlite", (40, 6), (300, 30), 2)
        assert [r["case"] for r in rows] == [f"flat cost {name}" for name in OPERATIONS]
        for row in rows:
            assert (row["small"]["products"], row["large"]["entries"]) == (40, 30)
            assert min(row["small"]["ms"], row["large"]["ms"]) > 0
        loaded = create_engine(urls[1])
        with loaded.connect() as connection:
            bulk = "SELECT count(*) FROM crmkit_{} WHERE {} LIKE 'bulk%'"
            assert connection.scalar(text(bulk.format("product", "id"))) == 300
            assert connection.scalar(text(bulk.format("price_entry", "product_id"))) == 300
            assert connection.scalar(text(bulk.format("stock_level", "product_id"))) == 300
            most = (
                "SELECT max(n) FROM "
                "(SELECT count(*) AS n FROM crmkit_journal_entry GROUP BY account_id) AS c"
            )
            assert connection.scalar(text(most)) >= 30
        loaded.dispose()
