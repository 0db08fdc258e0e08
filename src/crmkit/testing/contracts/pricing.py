"""Pricing contracts: price lists (价目表), quotes (报价单), sales orders (销售订单)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.domain import (
    CrmkitError,
    ProductId,
    ValidationError,
)
from crmkit.domain.price_list import PriceListScope
from crmkit.domain.pricing import (
    DocumentTotals,
    ListOutcome,
    NoPriceFound,
    PricingCustomer,
    PricingPolicy,
    ResolutionMode,
    resolved_amounts,
)
from crmkit.domain.rounding import Rounding
from crmkit.services import Storage
from crmkit.services.quotes import LineInput
from crmkit.testing.contracts.pricing_repositories import (
    RELAXED,
    PriceListRepositoryContract,
    QuoteRepositoryContract,
)
from crmkit.testing.contracts.pricing_support import ACME, PricedWorld
from crmkit.testing.contracts.quote_service import QuoteServiceContract
from crmkit.testing.contracts.support import T0

__all__ = [
    "RELAXED",
    "PriceListRepositoryContract",
    "PricingServiceContract",
    "QuoteRepositoryContract",
    "QuoteServiceContract",
]


class PricingServiceContract:
    """Price resolution through the service behaves the same on every storage."""

    def test_resolution_explains_every_list(self, storage: Storage) -> None:
        """Strict mode: the first list in tie-break order wins; the others say why not."""
        world = PricedWorld.make(storage, products=1)
        general, _ = world.price_list("General", 5, ["100"])
        vip, [vip_entry] = world.price_list("VIP", 1, ["90"], scope=None)
        world.pricing.add_entry(vip.id, world.products[0].id, unit_price="80", min_quantity="10")
        found = world.pricing.resolve(ACME, world.products[0].id, "12", currency="CNY")
        assert (found.price_list_id, found.unit_price) == (vip.id, Decimal(80))
        assert found.tier_min_quantity == Decimal(10)
        assert [(c.name, c.outcome) for c in found.candidates] == [
            ("VIP", ListOutcome.CHOSEN),
            ("General", ListOutcome.OUTRANKED),
        ]
        below = world.pricing.resolve(ACME, world.products[0].id, "9", currency="CNY")
        assert (below.entry_id, below.unit_price) == (vip_entry.id, Decimal(90))
        assert general.id in {c.price_list_id for c in below.candidates}

    def test_best_price_mode_takes_the_lowest_applicable_price(self, storage: Storage) -> None:
        """A tenant in best-price mode gets the cheapest list that applies to the account."""
        world = PricedWorld.make(
            storage, products=1, policy=PricingPolicy(ResolutionMode.BEST_PRICE)
        )
        world.price_list("General", 1, ["100"])
        cheap, _ = world.price_list("Promo", 9, ["95"])
        found = world.pricing.resolve(ACME, world.products[0].id, "1", currency="CNY")
        assert found.price_list_id == cheap.id

    def test_bulk_resolution_makes_the_same_calls_for_one_line_or_many(
        self, storage: Storage
    ) -> None:
        """Resolving 1 or 12 lines reads products, lists and entries once each."""
        world = PricedWorld.make(storage, products=12)
        world.price_list("General", 1, [str(n + 1) for n in range(12)])
        one = world.counting(
            lambda: world.pricing.resolve_many(ACME, [(world.products[0].id, 1)], currency="CNY")
        )
        many = world.counting(
            lambda: world.pricing.resolve_many(
                ACME, [(p.id, 2) for p in world.products], currency="CNY"
            )
        )
        assert one == many
        assert many == {
            "products.get_many": 1,
            "price_lists.all": 1,
            "price_lists.tiers": 1,
        }

    def test_no_price_raises_and_changes_nothing(self, storage: Storage) -> None:
        """A product without an applicable price raises NoPriceFound; the quote is unchanged."""
        world = PricedWorld.make(storage, products=2)
        world.price_list("Only the first", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        before = world.snapshot(quote)
        with pytest.raises(NoPriceFound) as raised:
            world.quotes.add_lines(
                quote.id, [LineInput(world.products[0].id, 1), LineInput(world.products[1].id, 1)]
            )
        assert raised.value.code == "no_price"
        assert world.snapshot(quote) == before

    def test_a_derived_list_follows_its_base(self, storage: Storage) -> None:
        """A list derived at -12.5% prices 10.99 as 9.62 (HALF_UP) and follows base changes."""
        world = PricedWorld.make(storage, products=1)
        base, [entry] = world.price_list("Base", 9, ["10.99"])
        derived = world.pricing.derive_price_list(
            base.id,
            name="Dealers",
            percent="-12.5",
            rounding=Rounding.HALF_UP,
            priority=1,
            valid_from=T0 - timedelta(days=1),
        )
        found = world.pricing.resolve(ACME, world.products[0].id, 1, currency="CNY")
        assert (found.price_list_id, found.unit_price) == (derived.id, Decimal("9.62"))
        world.pricing.change_entry_price(entry.id, "20")
        again = world.pricing.resolve(ACME, world.products[0].id, 1, currency="CNY")
        assert again.unit_price == Decimal("17.50")
        with pytest.raises(ValidationError):
            world.pricing.add_entry(derived.id, world.products[0].id, unit_price="1")

    def test_scope_and_validity_are_checked_against_the_account_and_moment(
        self, storage: Storage
    ) -> None:
        """An account outside a list's scope, or a moment outside its window, skips the list."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 9, ["10"])
        world.price_list("Globex only", 1, ["5"], scope=PriceListScope.accounts("globex"))
        world.price_list("Next week", 2, ["6"], valid_from=T0 + timedelta(days=7))
        product = world.products[0].id
        assert world.pricing.resolve(ACME, product, 1, currency="CNY").unit_price == 10
        globex = PricingCustomer("globex")
        assert world.pricing.resolve(globex, product, 1, currency="CNY").unit_price == 5
        later = T0 + timedelta(days=8)
        assert world.pricing.resolve(ACME, product, 1, currency="CNY", at=later).unit_price == 6

    def test_price_lines_gives_each_resolution_with_its_line_amounts(
        self, storage: Storage
    ) -> None:
        """``price_lines`` prices as ``resolve_many`` and rounds as ``line_amounts`` at the
        product's tax rate, net and tax-inclusive lists alike; the totals are their sums and
        each line's resolution, explanation included, is ``resolve``'s."""
        world = PricedWorld.make(storage, products=3)
        general, _ = world.price_list("General", 5, ["10.005", "3.333", "7"])
        world.pricing.add_entry(general.id, world.products[0].id, unit_price="9.5", min_quantity=5)
        gross = world.pricing.create_price_list(
            name="Gross only", currency="CNY", priority=1, prices_include_tax=True,
            valid_from=T0 - timedelta(days=1),
        )  # fmt: skip
        world.pricing.add_entry(gross.id, world.products[2].id, unit_price="11.30")
        items: list[tuple[ProductId, Decimal | int | str]] = [
            (world.products[0].id, "7"),
            (world.products[1].id, 3),
            (world.products[2].id, 2),
            (world.products[0].id, Decimal("1.5")),
        ]
        priced = world.pricing.price_lines(ACME, items, currency="CNY")
        resolutions = world.pricing.resolve_many(ACME, items, currency="CNY")
        rounding = PricingPolicy().rounding
        expected = [resolved_amounts(r, Decimal("0.13"), rounding) for r in resolutions]
        assert [(i.net, i.tax, i.gross) for i in priced.lines] == [
            (a.net, a.tax, a.gross) for a in expected
        ]
        assert priced.totals == DocumentTotals.of("CNY", expected)
        assert [(i.product_id, i.sku, i.quantity) for i in priced.lines] == [
            (p.id, p.sku, Decimal(q)) for p, q in zip(
                [world.products[0], world.products[1], world.products[2], world.products[0]],
                ["7", "3", "2", "1.5"], strict=True,
            )
        ]  # fmt: skip
        assert priced.resolutions() == resolutions
        assert priced.lines[2].prices_include_tax
        assert (priced.lines[0].unit_price, priced.lines[0].tier_min_quantity) == (
            Decimal("9.5"),
            Decimal(5),
        )
        alone = world.pricing.resolve(ACME, world.products[1].id, 3, currency="CNY")
        assert priced.resolution(1) == alone
        assert priced.resolution(1).describe() == alone.describe()

    def test_price_lines_makes_the_calls_of_resolve_many_and_refuses_alike(
        self, storage: Storage
    ) -> None:
        """One unit of work with three repository calls for any number of lines; an unknown
        or deactivated product, a bad quantity or a product without a price is refused with
        the error ``resolve_many`` gives."""
        world = PricedWorld.make(storage, products=3)
        world.price_list("General", 1, ["1", "2"])
        first, second, unpriced = (p.id for p in world.products)
        assert world.counting(
            lambda: world.pricing.price_lines(ACME, [(first, 1), (second, 2)], currency="CNY")
        ) == {"products.get_many": 1, "price_lists.all": 1, "price_lists.tiers": 1}
        world.catalog.deactivate_product(second)
        refused: list[list[tuple[str, object]]] = [
            [(first, 1), ("no-such-product", 1)],
            [(first, 1), (second, 1)],
            [(first, "0")],
            [(first, "1.00001")],
            [(first, 1), (unpriced, 1)],
        ]
        for items in refused:
            with pytest.raises(CrmkitError) as raised:
                world.pricing.resolve_many(ACME, items, currency="CNY")  # type: ignore[arg-type]
            with pytest.raises(type(raised.value)) as again:
                world.pricing.price_lines(ACME, items, currency="CNY")  # type: ignore[arg-type]
            assert (again.value.code, again.value.message) == (
                raised.value.code,
                raised.value.message,
            )
