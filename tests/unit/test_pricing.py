"""Pricing's pure domain: resolution, tiers, tie-breaks, line arithmetic, quote lifecycle."""

from __future__ import annotations

import decimal
import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import open_crm
from crmkit.domain import FloatNotAllowed, ProductId, TenantId, ValidationError
from crmkit.domain.price_list import (
    Derivation,
    PriceEntry,
    PriceList,
    PriceListId,
    PriceListScope,
)
from crmkit.domain.pricing import (
    DocumentTotals,
    EntryOutcome,
    LineAmounts,
    ListOutcome,
    NoPriceFound,
    PricingCustomer,
    PricingPolicy,
    Resolution,
    ResolutionMode,
    line_amounts,
    resolve_price,
    tie_break_key,
)
from crmkit.domain.quote import (
    ConversionExceedsRemaining,
    Quote,
    QuoteExpired,
    QuoteLine,
    QuoteStatus,
    QuoteTransitionNotAllowed,
)
from crmkit.domain.rounding import Rounding
from crmkit.domain.sales_order import SalesOrder
from crmkit.testing.pricing_strategies import (
    T0,
    a_resolution,
    customers,
    decimals,
    discounts,
    instants,
    price_entries,
    price_lists,
    prices,
    quantities,
)
from crmkit.testing.strategies import tax_rates

TENANT = TenantId("unit")
PRODUCT = ProductId("p-1")
CUSTOMER = PricingCustomer("acme", frozenset({"vip"}))


def a_list(name: str = "Base", priority: int = 10, **fields: object) -> PriceList:
    """An active CNY list valid from a year before T0."""
    values: dict[str, object] = {
        "name": name,
        "currency": "CNY",
        "priority": priority,
        "now": T0 - timedelta(days=365),
    }
    values.update(fields)
    return PriceList.new(TENANT, **values)  # type: ignore[arg-type]


def an_entry(price_list: PriceList, price: str, min_quantity: str = "0") -> PriceEntry:
    """An entry of ``price_list`` for PRODUCT."""
    return PriceEntry.new(price_list, PRODUCT, unit_price=price, min_quantity=min_quantity)


def resolve(
    lists: list[PriceList],
    entries: list[PriceEntry],
    quantity: str | Decimal = "1",
    mode: ResolutionMode = ResolutionMode.STRICT_PRIORITY,
    tax_rate: str = "0.13",
) -> Resolution:
    """Resolve PRODUCT for CUSTOMER at T0."""
    return resolve_price(
        customer=CUSTOMER,
        product_id=PRODUCT,
        tax_rate=Decimal(tax_rate),
        quantity=Decimal(quantity),
        at=T0,
        currency="CNY",
        mode=mode,
        price_lists=lists,
        entries=entries,
    )


class TestTiers:
    """Quantity tiers: the highest tier reached applies, never one above the quantity."""

    def test_the_highest_reached_tier_applies(self) -> None:
        """Quantity 12 with tiers 0, 10, 50 gets the tier from 10; 9.9999 gets tier 0."""
        base = a_list()
        entries = [an_entry(base, "10"), an_entry(base, "9", "10"), an_entry(base, "8", "50")]
        assert resolve([base], entries, "12").unit_price == Decimal(9)
        assert resolve([base], entries, "9.9999").unit_price == Decimal(10)
        outcomes = {
            e.min_quantity: e.outcome for e in resolve([base], entries, "12").candidates[0].entries
        }
        assert outcomes == {
            Decimal(0): EntryOutcome.LOWER_TIER,
            Decimal(10): EntryOutcome.APPLIED,
            Decimal(50): EntryOutcome.BELOW_MIN_QUANTITY,
        }

    @settings(max_examples=200)
    @given(data=st.data(), quantity=quantities())
    def test_a_higher_tier_never_applies_below_its_minimum(
        self, data: st.DataObject, quantity: Decimal
    ) -> None:
        """Whatever the entries, the applied tier's minimum is at most the quantity."""
        lists = data.draw(st.lists(price_lists(TENANT), min_size=1, max_size=4))
        entries = [
            data.draw(price_entries(pl, PRODUCT))
            for pl in lists
            for _ in range(data.draw(st.integers(0, 4)))
        ]
        customer = data.draw(customers())
        at = data.draw(instants())
        try:
            found = resolve_price(
                customer=customer,
                product_id=PRODUCT,
                tax_rate=Decimal("0.13"),
                quantity=quantity,
                at=at,
                currency="CNY",
                mode=data.draw(st.sampled_from(ResolutionMode)),
                price_lists=lists,
                entries=entries,
            )
        except NoPriceFound:
            return
        applied = next(e for e in entries if e.id == found.entry_id)
        assert applied.min_quantity <= quantity
        assert applied.is_valid_at(at)
        usable = [
            e
            for e in entries
            if e.price_list_id == found.price_list_id
            and e.is_valid_at(at)
            and e.min_quantity <= quantity
        ]
        assert applied.min_quantity == max(e.min_quantity for e in usable)


class TestTieBreak:
    """The tie-break order is total and documented."""

    def test_lower_priority_number_wins_in_strict_mode(self) -> None:
        """Priority 1 beats priority 2 even when 2 is cheaper."""
        first, second = a_list("First", 1), a_list("Second", 2)
        found = resolve([second, first], [an_entry(first, "10"), an_entry(second, "5")])
        assert (found.price_list_id, found.unit_price) == (first.id, Decimal(10))
        assert [c.outcome for c in found.candidates] == [ListOutcome.CHOSEN, ListOutcome.OUTRANKED]

    def test_equal_priority_prefers_the_more_specific_scope(self) -> None:
        """Same priority: specific accounts, then groups, then everyone."""
        everyone = a_list("Everyone", 5)
        groups = a_list("Groups", 5, scope=PriceListScope.groups("vip"))
        accounts = a_list("Accounts", 5, scope=PriceListScope.accounts("acme"))
        entries = [an_entry(everyone, "3"), an_entry(groups, "2"), an_entry(accounts, "1")]
        found = resolve([everyone, groups, accounts], entries)
        assert found.price_list_id == accounts.id
        assert [c.name for c in found.candidates] == ["Accounts", "Groups", "Everyone"]

    def test_then_the_later_start_then_the_smaller_id(self) -> None:
        """Same priority and scope: the later valid_from wins, then the smaller id."""
        old = a_list("Old", 5, price_list_id=PriceListId("b"))
        new = a_list("New", 5, valid_from=T0 - timedelta(days=1), price_list_id=PriceListId("c"))
        twin = a_list("Twin", 5, valid_from=T0 - timedelta(days=1), price_list_id=PriceListId("a"))
        entries = [an_entry(old, "1"), an_entry(new, "2"), an_entry(twin, "3")]
        found = resolve([old, new, twin], entries)
        assert [c.name for c in found.candidates] == ["Twin", "New", "Old"]
        assert found.price_list_id == twin.id

    def test_best_price_picks_the_cheapest_and_breaks_ties_by_order(self) -> None:
        """Best-price mode takes the lowest price; equal prices fall back to tie-break order."""
        first, second, third = a_list("A", 1), a_list("B", 2), a_list("C", 3)
        entries = [an_entry(first, "10"), an_entry(second, "7"), an_entry(third, "7")]
        found = resolve([first, second, third], entries, mode=ResolutionMode.BEST_PRICE)
        assert (found.price_list_id, found.unit_price) == (second.id, Decimal(7))
        assert [c.outcome for c in found.candidates] == [
            ListOutcome.HIGHER_PRICE,
            ListOutcome.CHOSEN,
            ListOutcome.OUTRANKED,
        ]

    def test_best_price_compares_tax_inclusive_and_exclusive_prices_fairly(self) -> None:
        """A net 100 at 13% tax (113 gross) loses to a gross 112."""
        net = a_list("Net", 1)
        gross = a_list("Gross", 2, prices_include_tax=True)
        found = resolve(
            [net, gross],
            [an_entry(net, "100"), an_entry(gross, "112")],
            mode=ResolutionMode.BEST_PRICE,
        )
        assert found.price_list_id == gross.id

    @settings(max_examples=150)
    @given(data=st.data())
    def test_resolution_is_the_same_under_any_order_of_rules(self, data: st.DataObject) -> None:
        """Shuffling the lists and entries never changes the result or its explanation."""
        lists = data.draw(st.lists(price_lists(TENANT), min_size=1, max_size=4))
        lists.append(data.draw(price_lists(TENANT, base=lists[0])))
        entries = [
            data.draw(price_entries(pl, PRODUCT))
            for pl in lists
            for _ in range(data.draw(st.integers(0, 3)))
        ]
        # Same-priority twins make the tie-break do its work.
        lists.append(attrs.evolve(lists[0], id=PriceListId("0" + lists[0].id[1:])))
        customer, at = data.draw(customers()), data.draw(instants())
        quantity, mode = data.draw(quantities()), data.draw(st.sampled_from(ResolutionMode))
        rng = random.Random(data.draw(st.integers(0, 2**32)))

        def run(ls: list[PriceList], es: list[PriceEntry]) -> Resolution | str:
            try:
                return resolve_price(
                    customer=customer,
                    product_id=PRODUCT,
                    tax_rate=Decimal("0.09"),
                    quantity=quantity,
                    at=at,
                    currency="CNY",
                    mode=mode,
                    price_lists=ls,
                    entries=es,
                )
            except NoPriceFound as error:
                return error.message

        expected = run(lists, entries)
        for _ in range(3):
            shuffled_lists, shuffled_entries = lists[:], entries[:]
            rng.shuffle(shuffled_lists)
            rng.shuffle(shuffled_entries)
            assert run(shuffled_lists, shuffled_entries) == expected

    @settings(max_examples=150)
    @given(data=st.data())
    def test_best_price_never_exceeds_what_strict_mode_candidates_allow(
        self, data: st.DataObject
    ) -> None:
        """Best price is one of the applicable lists' prices and at most strict mode's price."""
        lists = data.draw(st.lists(price_lists(TENANT), min_size=1, max_size=5))
        entries = [data.draw(price_entries(pl, PRODUCT)) for pl in lists for _ in range(2)]
        customer, at, quantity = (
            data.draw(customers()),
            data.draw(instants()),
            data.draw(quantities()),
        )
        tax = data.draw(tax_rates())

        def run(mode: ResolutionMode) -> Resolution:
            return resolve_price(
                customer=customer,
                product_id=PRODUCT,
                tax_rate=tax,
                quantity=quantity,
                at=at,
                currency="CNY",
                mode=mode,
                price_lists=lists,
                entries=entries,
            )

        try:
            strict = run(ResolutionMode.STRICT_PRIORITY)
        except NoPriceFound:
            with pytest.raises(NoPriceFound):
                run(ResolutionMode.BEST_PRICE)
            return
        best = run(ResolutionMode.BEST_PRICE)

        def gross(found: Resolution) -> Decimal:
            return found.unit_price if found.prices_include_tax else found.unit_price * (1 + tax)

        assert gross(best) <= gross(strict)
        contenders = {
            c.price_list_id
            for c in strict.candidates
            if c.outcome in {ListOutcome.CHOSEN, ListOutcome.OUTRANKED}
        }
        assert best.price_list_id in contenders

    def test_tie_break_key_is_total(self) -> None:
        """Two different lists never share a tie-break key (the id is part of it)."""
        first = a_list("A", 1)
        twin = attrs.evolve(first, id=PriceListId("other"))
        assert tie_break_key(first) != tie_break_key(twin)


class TestApplicability:
    """Lists outside scope, validity, currency or activity are explained, not used."""

    def test_every_refused_list_says_why(self) -> None:
        """The explanation names the reason of each list that was not used."""
        lists = [
            a_list("Chosen", 9),
            a_list("Off", 1, scope=PriceListScope.accounts("globex")),
            a_list("Later", 2, valid_from=T0 + timedelta(days=1)),
            a_list("Dollars", 3, currency="USD"),
            attrs.evolve(a_list("Retired", 4), active=False),
            a_list("Empty", 5),
        ]
        entries = [an_entry(pl, "1") for pl in lists if pl.name != "Empty"]
        found = resolve(lists, entries)
        outcomes = {c.name: c.outcome for c in found.candidates}
        assert outcomes == {
            "Off": ListOutcome.OUT_OF_SCOPE,
            "Later": ListOutcome.OUTSIDE_VALIDITY,
            "Dollars": ListOutcome.OTHER_CURRENCY,
            "Retired": ListOutcome.INACTIVE,
            "Empty": ListOutcome.NO_PRICE,
            "Chosen": ListOutcome.CHOSEN,
        }
        assert "does not include account 'acme'" in found.candidates[0].reason

    def test_no_applicable_price_raises_with_the_verdicts(self) -> None:
        """NoPriceFound carries every list's verdict and says what to do."""
        off = a_list("Off", 1, scope=PriceListScope.accounts("globex"))
        with pytest.raises(NoPriceFound) as raised:
            resolve([off], [an_entry(off, "1")])
        assert raised.value.code == "no_price"
        assert "Add an entry" in raised.value.message
        assert raised.value.details["candidates"][0].outcome is ListOutcome.OUT_OF_SCOPE

    def test_a_derived_list_rounds_once_by_its_named_rule(self) -> None:
        """-10% of 0.35 is 0.315: HALF_UP gives 0.32, HALF_EVEN 0.32, DOWN 0.31."""
        base = a_list("Base", 9)
        expected = {Rounding.HALF_UP: "0.32", Rounding.HALF_EVEN: "0.32", Rounding.DOWN: "0.31"}
        for rule, price in expected.items():
            derived = a_list("Derived", 1, derivation=Derivation(base.id, "-10", rule))
            found = resolve([base, derived], [an_entry(base, "0.35")])
            assert (found.price_list_id, found.unit_price) == (derived.id, Decimal(price))

    def test_a_derived_list_has_no_entries_of_its_own(self) -> None:
        """Adding an entry to a derived list is refused with a message naming the base."""
        base = a_list()
        derived = a_list("Derived", 1, derivation=Derivation(base.id, "5", Rounding.HALF_UP))
        with pytest.raises(ValidationError, match="add the entry to the base list"):
            an_entry(derived, "1")


def amounts(
    price: str,
    qty: str,
    *,
    include_tax: bool = False,
    rule: Rounding = Rounding.HALF_UP,
    line: str = "0",
    doc: str = "0",
    rate: str = "0.13",
) -> tuple[Decimal, Decimal, Decimal]:
    """Net, tax and gross of one CNY line."""
    found = line_amounts(
        unit_price=Decimal(price),
        quantity=Decimal(qty),
        line_discount_percent=Decimal(line),
        document_discount_percent=Decimal(doc),
        tax_rate=Decimal(rate),
        prices_include_tax=include_tax,
        currency="CNY",
        rounding=rule,
    )
    return found.net, found.tax, found.gross


class TestLineAmounts:
    """Rounding happens at the named steps only; totals are exact sums."""

    def test_an_agreed_gross_price_is_never_rebuilt_from_a_rounded_net(self) -> None:
        """A tax-inclusive 290 stays 290 gross (not 289.99); 158 stays 158 per unit."""
        assert amounts("290", "1", include_tax=True)[2] == Decimal("290.00")
        assert amounts("158", "1", include_tax=True)[2] == Decimal("158.00")
        assert amounts("158", "7", include_tax=True)[2] == Decimal("1106.00")
        net, tax, gross = amounts("290", "1", include_tax=True)
        assert (net, tax) == (Decimal("256.64"), Decimal("33.36"))
        assert net + tax == gross

    def test_half_up_and_half_even_differ_only_on_ties(self) -> None:
        """0.125 per unit: HALF_UP 0.13, HALF_EVEN 0.12 (the named rule is applied)."""
        assert amounts("0.125", "1", rule=Rounding.HALF_UP, rate="0")[0] == Decimal("0.13")
        assert amounts("0.125", "1", rule=Rounding.HALF_EVEN, rate="0")[0] == Decimal("0.12")

    def test_discounts_compound_before_the_single_rounding(self) -> None:
        """100 x 3 with 10% line and 5% document discount is 256.50 net, 33.35 tax."""
        assert amounts("100", "3", line="10", doc="5") == (
            Decimal("256.50"),
            Decimal("33.35"),
            Decimal("289.85"),
        )

    def test_a_zero_decimal_currency_rounds_to_whole_units(self) -> None:
        """JPY has no minor unit: amounts are whole yen."""
        found = line_amounts(
            unit_price=Decimal("99.5"),
            quantity=Decimal(1),
            line_discount_percent=Decimal(0),
            document_discount_percent=Decimal(0),
            tax_rate=Decimal("0.1"),
            prices_include_tax=False,
            currency="JPY",
            rounding=Rounding.HALF_EVEN,
        )
        assert (found.net, found.tax, found.gross) == (Decimal(100), Decimal(10), Decimal(110))

    @settings(max_examples=300)
    @given(
        lines=st.lists(
            st.tuples(prices(), quantities(), discounts(), tax_rates(), st.booleans()),
            min_size=1,
            max_size=8,
        ),
        document=discounts(),
        rule=st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN]),
        currency=st.sampled_from(["CNY", "JPY", "KWD"]),
    )
    def test_document_total_is_the_exact_sum_of_rounded_lines(
        self,
        lines: list[tuple[Decimal, Decimal, Decimal, Decimal, bool]],
        document: Decimal,
        rule: Rounding,
        currency: str,
    ) -> None:
        """Totals are the sums of the lines; lines are whole minor units, net + tax = gross."""
        amounts = [
            line_amounts(
                unit_price=price,
                quantity=qty,
                line_discount_percent=disc,
                document_discount_percent=document,
                tax_rate=rate,
                prices_include_tax=gross,
                currency=currency,
                rounding=rule,
            )
            for price, qty, disc, rate, gross in lines
        ]
        totals = DocumentTotals.of(currency, amounts)
        assert totals.net == sum((a.net for a in amounts), Decimal(0))
        assert totals.tax == sum((a.tax for a in amounts), Decimal(0))
        assert totals.gross == totals.net + totals.tax
        step = Decimal(1).scaleb(-{"CNY": 2, "JPY": 0, "KWD": 3}[currency])
        for amount in amounts:
            assert amount.net + amount.tax == amount.gross
            for value in (amount.net, amount.tax, amount.gross):
                assert isinstance(value, Decimal)
                assert value == value.quantize(step)

    def test_totals_are_exact_in_a_callers_low_precision_context(self) -> None:
        """A caller's context of 6 digits does not round a document's totals."""
        big = LineAmounts(Decimal("1234567.89"), Decimal("160493.83"), Decimal("1395061.72"))
        small = LineAmounts(Decimal("0.01"), Decimal("0.00"), Decimal("0.01"))
        with decimal.localcontext(decimal.Context(prec=6)):
            totals = DocumentTotals.of("CNY", [big, small])
        assert (totals.net, totals.tax, totals.gross) == (
            Decimal("1234567.90"),
            Decimal("160493.83"),
            Decimal("1395061.73"),
        )

    def test_a_result_too_large_to_round_is_refused_by_name(self) -> None:
        """10^70 x 10^15 has more digits than the exact context keeps at cents: the
        rounding rule's ValidationError, not a raw decimal error."""
        with pytest.raises(ValidationError, match="too large to round"):
            amounts("1E+70", "1E+15")

    def test_the_callers_decimal_context_changes_nothing(self) -> None:
        """A caller working at 3 digits and rounding down gets the same line amounts."""
        expected = amounts("123.456", "7", line="10", doc="5", include_tax=True)
        with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN)):
            assert amounts("123.456", "7", line="10", doc="5", include_tax=True) == expected


class TestNoFloats:
    """No float ever reaches a price, a quantity or a discount."""

    @settings(max_examples=100)
    @given(value=st.floats(allow_nan=False, allow_infinity=False))
    def test_floats_are_refused_everywhere_a_price_enters(self, value: float) -> None:
        """Entries, derivations, quote lines and policies refuse floats with FloatNotAllowed."""
        base = a_list()
        with pytest.raises(FloatNotAllowed):
            PriceEntry.new(base, PRODUCT, unit_price=value)  # type: ignore[arg-type]
        with pytest.raises(FloatNotAllowed):
            PriceEntry.new(base, PRODUCT, unit_price="1", min_quantity=value)  # type: ignore[arg-type]
        with pytest.raises(FloatNotAllowed):
            Derivation(base.id, value, Rounding.HALF_UP)
        with pytest.raises(FloatNotAllowed):
            PricingPolicy(approval_threshold_percent=value)
        line = a_line(1, "10", "2")
        with pytest.raises(FloatNotAllowed):
            attrs.evolve(line, quantity=value)
        with pytest.raises(FloatNotAllowed):
            attrs.evolve(line, discount_percent=value)

    @settings(max_examples=100)
    @given(data=st.data())
    def test_every_resolved_price_is_a_decimal(self, data: st.DataObject) -> None:
        """Resolved prices and every price in the explanation are Decimals."""
        lists = data.draw(st.lists(price_lists(TENANT), min_size=1, max_size=3))
        lists.append(data.draw(price_lists(TENANT, base=lists[0])))
        entries = [data.draw(price_entries(pl, PRODUCT)) for pl in lists]
        try:
            found = resolve(lists, entries, data.draw(quantities()))
        except NoPriceFound:
            return
        assert type(found.unit_price) is Decimal
        assert all(type(e.unit_price) is Decimal for c in found.candidates for e in c.entries)


def a_line(line_no: int, price: str, qty: str, discount: str = "0") -> QuoteLine:
    """A quote line of PRODUCT at ``price``."""
    return QuoteLine(
        line_no=line_no,
        product_id=PRODUCT,
        sku="SKU",
        unit="pcs",
        quantity=qty,
        tax_rate=Decimal("0.13"),
        discount_percent=discount,
        resolution=a_resolution(PRODUCT, Decimal(price)),
    )


def a_quote(**fields: object) -> Quote:
    """A draft CNY quote valid for 30 days from T0."""
    values: dict[str, object] = {
        "account_id": "acme",
        "currency": "CNY",
        "valid_until": T0 + timedelta(days=30),
        "policy": PricingPolicy(),
        "now": T0,
    }
    values.update(fields)
    return Quote.new(TENANT, **values)  # type: ignore[arg-type]


class TestQuoteLifecycle:
    """draft -> sent -> accepted | rejected | expired, and nothing else."""

    def test_the_happy_path(self) -> None:
        """A draft with lines is sent and accepted before its validity date."""
        quote = a_quote().with_lines((a_line(1, "10", "2"),), T0)
        accepted = quote.send(T0).accept(T0 + timedelta(days=1))
        assert accepted.status is QuoteStatus.ACCEPTED

    def test_invalid_transitions_raise_the_documented_error(self) -> None:
        """Each action outside ALLOWED raises QuoteTransitionNotAllowed with a stable code."""
        draft = a_quote().with_lines((a_line(1, "10", "2"),), T0)
        sent = draft.send(T0)
        accepted = sent.accept(T0)
        rejected = sent.reject(T0)
        later = T0 + timedelta(days=31)
        expired = sent.expire(later)
        attempts: list[Callable[[], object]] = [
            lambda: draft.accept(T0),
            lambda: draft.reject(T0),
            lambda: sent.send(T0),
            lambda: sent.with_lines((a_line(2, "1", "1"),), T0),
            lambda: sent.repriced({}, T0),
            lambda: accepted.reject(T0),
            lambda: accepted.with_discounts(T0, document="5"),
            lambda: rejected.accept(T0),
            lambda: expired.accept(later),
            lambda: draft.conversion(None),
        ]
        for attempt in attempts:
            with pytest.raises(QuoteTransitionNotAllowed) as raised:
                attempt()
            assert raised.value.code == "quote_transition_not_allowed"

    def test_a_quote_past_its_validity_cannot_be_accepted(self) -> None:
        """Accepting at or after valid_until raises QuoteExpired; expire() records it."""
        sent = a_quote().with_lines((a_line(1, "10", "2"),), T0).send(T0)
        at_end = T0 + timedelta(days=30)
        with pytest.raises(QuoteExpired):
            sent.accept(at_end)
        assert sent.expire(at_end).status is QuoteStatus.EXPIRED
        with pytest.raises(ValidationError):
            sent.expire(at_end - timedelta(milliseconds=1))

    def test_a_discount_beyond_the_threshold_marks_the_quote_for_approval(self) -> None:
        """A 15% line and 10% document discount (23.5%) passes a 20% threshold; 5% does not."""
        quote = a_quote().with_lines((a_line(1, "10", "2", "15"), a_line(2, "10", "2", "5")), T0)
        assert not quote.needs_approval
        flagged = quote.with_discounts(T0, document="10")
        assert flagged.approval_reasons == (
            "line 1: combined discount 23.5% exceeds the approval threshold 20%",
        )
        assert not flagged.with_discounts(T0, document="0").needs_approval

    def test_conversion_never_exceeds_what_remains(self) -> None:
        """Converting 3 of 5 leaves 2; asking 3 more raises ConversionExceedsRemaining."""
        quote = a_quote().with_lines((a_line(1, "10", "5"),), T0).send(T0).accept(T0)
        once = quote.converted({1: Decimal(3)}, T0)
        assert once.line(1).remaining == Decimal(2)
        with pytest.raises(ConversionExceedsRemaining) as raised:
            once.conversion({1: Decimal(3)})
        assert raised.value.code == "quantity_exceeds_remaining"
        assert once.conversion(None) == {1: Decimal(2)}

    def test_an_order_copies_frozen_prices_and_records_an_expiry_override(self) -> None:
        """Order lines carry the quote's resolution; an expired quote needs an override."""
        quote = a_quote().with_lines((a_line(1, "10.5", "5"),), T0).send(T0).accept(T0)
        late = T0 + timedelta(days=40)
        with pytest.raises(QuoteExpired):
            SalesOrder.from_quote(quote, {1: Decimal(1)}, now=late)
        order = SalesOrder.from_quote(
            quote, {1: Decimal(1)}, now=late, expiry_override="customer asked on day 29"
        )
        assert order.lines[0].resolution == quote.line(1).resolution
        assert order.expiry_override == "customer asked on day 29"
        assert order.totals().net == Decimal("10.50")

    @settings(max_examples=100)
    @given(
        price=prices(),
        qty=quantities(),
        parts=st.lists(decimals(0, 1, 4), min_size=1, max_size=4),
    )
    def test_partial_conversions_never_sum_beyond_the_quote(
        self, price: Decimal, qty: Decimal, parts: list[Decimal]
    ) -> None:
        """Any sequence of partial conversions keeps converted <= quantity, and rejects the rest."""
        quote = a_quote().with_lines((a_line(1, str(price), str(qty)),), T0).send(T0).accept(T0)
        for part in parts:
            asked = (qty * part).quantize(Decimal("0.0001"))
            if asked <= 0:
                continue
            try:
                quote = quote.converted({1: asked}, T0)
            except ConversionExceedsRemaining:
                assert asked > quote.line(1).remaining
            assert Decimal(0) <= quote.line(1).converted_quantity <= qty


class TestWorkedExample:
    """The worked example of docs/pricing.md, pinned."""

    def test_strict_and_best_price_give_the_documented_prices_and_amounts(self) -> None:
        """Strict: Acme contract 145.00; best price: VIP 138.75; the documented line amounts."""
        start = T0 - timedelta(days=30)
        general = a_list("General", 10, valid_from=start)
        vip = a_list(
            "VIP",
            5,
            valid_from=start,
            scope=PriceListScope.groups("vip"),
            derivation=Derivation(general.id, "-7.5", Rounding.HALF_UP),
        )
        contract = a_list(
            "Acme contract",
            5,
            valid_from=start,
            valid_until=T0 + timedelta(days=120),
            scope=PriceListScope.accounts("acme"),
        )
        entries = [
            an_entry(general, "158.00"),
            an_entry(general, "150.00", "10"),
            an_entry(contract, "145.00"),
        ]
        lists = [general, vip, contract]
        strict = resolve(lists, entries, "12")
        best = resolve(lists, entries, "12", mode=ResolutionMode.BEST_PRICE)
        assert (strict.price_list_id, strict.unit_price) == (contract.id, Decimal(145))
        assert [c.name for c in strict.candidates] == ["Acme contract", "VIP", "General"]
        assert (best.price_list_id, best.unit_price) == (vip.id, Decimal("138.75"))
        assert amounts("138.75", "12", line="5") == (
            Decimal("1581.75"),
            Decimal("205.63"),
            Decimal("1787.38"),
        )
        assert amounts("145", "12", line="5") == (
            Decimal("1653.00"),
            Decimal("214.89"),
            Decimal("1867.89"),
        )


class TestTenantPolicy:
    """The resolution mode and rounding are chosen per tenant at the composition root."""

    def test_each_tenant_gets_its_own_policy(self) -> None:
        """A tenant named in pricing_policies gets its policy; the others the default."""
        best = PricingPolicy(ResolutionMode.BEST_PRICE, Rounding.HALF_EVEN)
        with open_crm("memory://", pricing_policies={"shop-a": best}) as crm:
            chosen, default = crm.tenant("shop-a"), crm.tenant("shop-b")
            assert chosen.pricing.policy == chosen.quotes.policy == best
            assert default.pricing.policy == PricingPolicy()
            assert default.quotes.policy.mode is ResolutionMode.STRICT_PRIORITY
