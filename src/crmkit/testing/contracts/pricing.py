"""Pricing contracts: price lists (价目表), quotes (报价单), sales orders (销售订单)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.domain import (
    ValidationError,
)
from crmkit.domain.price_list import PriceListScope
from crmkit.domain.pricing import (
    ListOutcome,
    NoPriceFound,
    PricingCustomer,
    PricingPolicy,
    ResolutionMode,
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
