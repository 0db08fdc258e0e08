"""Hypothesis strategies and builders for pricing (价目表, 报价单), for tests and contracts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from crmkit.domain import ProductId, TenantId, new_id
from crmkit.domain.price_list import (
    Derivation,
    PriceEntry,
    PriceEntryId,
    PriceList,
    PriceListId,
    PriceListScope,
    ScopeKind,
)
from crmkit.domain.pricing import (
    EntryOutcome,
    EntryVerdict,
    ListOutcome,
    ListVerdict,
    PricingCustomer,
    PricingPolicy,
    Resolution,
    ResolutionMode,
)
from crmkit.domain.quote import Quote, QuoteId, QuoteLine, QuoteStatus
from crmkit.domain.rounding import Rounding
from crmkit.testing.strategies import tax_rates, texts

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
ACCOUNTS = ("acme", "globex", "initech")
GROUPS = ("vip", "retail", "north")


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with at most ``places`` decimals (built from integers)."""
    scale = 10**places
    return st.integers(low * scale, high * scale).map(lambda n: Decimal(n).scaleb(-places))


def prices() -> st.SearchStrategy[Decimal]:
    """Unit prices with up to six decimals."""
    return decimals(0, 100_000, 6) | decimals(0, 1_000, 2)


def quantities() -> st.SearchStrategy[Decimal]:
    """Positive quantities with up to four decimals."""
    return decimals(0, 10_000, 4).filter(lambda q: q > 0) | st.integers(1, 500).map(Decimal)


def discounts() -> st.SearchStrategy[Decimal]:
    """Discount percentages 0..100 with up to four decimals."""
    return decimals(0, 100, 4) | st.sampled_from([Decimal(0), Decimal(5), Decimal("12.5")])


def moments() -> st.SearchStrategy[datetime]:
    """Whole-millisecond UTC moments within a year around :data:`T0`."""
    return st.integers(-365 * 24 * 3600 * 1000, 365 * 24 * 3600 * 1000).map(
        lambda ms: T0 + timedelta(milliseconds=ms)
    )


def instants() -> st.SearchStrategy[datetime]:
    """Whole-millisecond UTC moments within 60 days of :data:`T0` (when prices are asked)."""
    return st.integers(-60 * 24 * 3600 * 1000, 60 * 24 * 3600 * 1000).map(
        lambda ms: T0 + timedelta(milliseconds=ms)
    )


@st.composite
def windows(draw: st.DrawFn) -> tuple[datetime, datetime | None]:
    """A validity window [start, end) (``end`` may be open), mostly around :data:`T0`."""
    start = T0 + timedelta(minutes=draw(st.integers(-300 * 24 * 60, 30 * 24 * 60)))
    days = draw(st.none() | st.integers(1, 400))
    return start, None if days is None else start + timedelta(days=days)


@st.composite
def scopes(draw: st.DrawFn) -> PriceListScope:
    """Any scope over the sample accounts and groups."""
    kind = draw(st.sampled_from([ScopeKind.EVERYONE, *ScopeKind]))
    if kind is ScopeKind.EVERYONE:
        return PriceListScope.everyone()
    pool = ACCOUNTS if kind is ScopeKind.ACCOUNTS else GROUPS
    return PriceListScope(kind, frozenset(draw(st.sets(st.sampled_from(pool), min_size=1))))


def customers() -> st.SearchStrategy[PricingCustomer]:
    """A sample account with some of the sample groups."""
    return st.builds(
        PricingCustomer, st.sampled_from(ACCOUNTS), st.frozensets(st.sampled_from(GROUPS))
    )


@st.composite
def price_lists(
    draw: st.DrawFn,
    tenant_id: TenantId,
    *,
    currency: str = "CNY",
    base: PriceList | None = None,
) -> PriceList:
    """Any price list of ``tenant_id`` (derived from ``base`` if given)."""
    valid_from, valid_until = draw(windows())
    created = draw(moments())
    derivation = None
    if base is not None:
        derivation = Derivation(
            base.id, draw(decimals(-100, 100, 4)), draw(st.sampled_from(Rounding))
        )
    return PriceList(
        id=PriceListId(new_id()),
        tenant_id=tenant_id,
        name=draw(texts(40)),
        currency=base.currency if base else currency,
        priority=draw(st.integers(-3, 3)),
        scope=draw(scopes()),
        prices_include_tax=base.prices_include_tax if base else draw(st.booleans()),
        valid_from=valid_from,
        valid_until=valid_until,
        derivation=derivation,
        active=draw(st.sampled_from([True, True, True, False])),
        created_at=created,
        updated_at=created,
        version=draw(st.integers(1, 1000)),
    )


@st.composite
def price_entries(draw: st.DrawFn, price_list: PriceList, product_id: ProductId) -> PriceEntry:
    """Any entry of ``price_list`` for ``product_id``."""
    valid_from, valid_until = draw(windows())
    return PriceEntry(
        id=PriceEntryId(new_id()),
        tenant_id=price_list.tenant_id,
        price_list_id=price_list.id,
        product_id=product_id,
        min_quantity=draw(st.sampled_from([0, 1, 5, 10, 100]).map(Decimal) | quantities()),
        unit_price=draw(prices()),
        valid_from=valid_from,
        valid_until=valid_until,
        version=draw(st.integers(1, 1000)),
    )


def a_resolution(
    product_id: ProductId,
    price: Decimal,
    *,
    quantity: Decimal = Decimal(1),
    include_tax: bool = False,
    currency: str = "CNY",
) -> Resolution:
    """A resolution of ``price`` from a one-list explanation (for building lines directly)."""
    list_id, entry_id = PriceListId(new_id()), PriceEntryId(new_id())
    return Resolution(
        product_id=product_id,
        quantity=quantity,
        at=T0,
        currency=currency,
        mode=ResolutionMode.STRICT_PRIORITY,
        unit_price=price,
        prices_include_tax=include_tax,
        price_list_id=list_id,
        entry_id=entry_id,
        tier_min_quantity=Decimal(0),
        candidates=(
            ListVerdict(
                list_id,
                "Base",
                1,
                ListOutcome.CHOSEN,
                "first applicable list in tie-break order",
                (EntryVerdict(entry_id, Decimal(0), price, EntryOutcome.APPLIED, "only tier"),),
            ),
        ),
    )


@st.composite
def quotes(draw: st.DrawFn, tenant_id: TenantId) -> Quote:
    """Any quote of ``tenant_id`` with up to five lines, in any status."""
    created = draw(moments())
    lines = []
    for n in range(1, draw(st.integers(0, 5)) + 1):
        amount = draw(quantities())
        price = draw(prices())
        product = ProductId(new_id())
        lines.append(
            QuoteLine(
                line_no=n,
                product_id=product,
                sku=draw(texts(20)),
                unit=draw(st.sampled_from(["pcs", "kg", "箱"])),
                quantity=amount,
                tax_rate=draw(tax_rates()),
                discount_percent=draw(discounts()),
                resolution=a_resolution(
                    product, price, quantity=amount, include_tax=draw(st.booleans())
                ),
                converted_quantity=draw(st.sampled_from([Decimal(0), amount])),
            )
        )
    return Quote(
        id=QuoteId(new_id()),
        tenant_id=tenant_id,
        account_id=draw(st.sampled_from(ACCOUNTS)),
        account_groups=draw(st.frozensets(st.sampled_from(GROUPS))),
        currency=draw(st.sampled_from(["CNY", "JPY", "KWD", "EUR"])),
        status=draw(st.sampled_from(QuoteStatus)),
        valid_until=created + timedelta(days=draw(st.integers(1, 90))),
        discount_percent=draw(discounts()),
        policy=PricingPolicy(
            draw(st.sampled_from(ResolutionMode)),
            draw(st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN])),
            draw(discounts()),
        ),
        lines=tuple(lines),
        approval_reasons=tuple(draw(st.lists(texts(30), max_size=2))),
        created_at=created,
        updated_at=created,
        version=draw(st.integers(1, 1000)),
    )
