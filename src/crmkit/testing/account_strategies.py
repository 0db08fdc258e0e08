"""Hypothesis strategies for the customer account's records and deduction inputs."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from crmkit.domain import Money, TenantId, new_id
from crmkit.domain.accounts import (
    CustomerAccount,
    EntryKind,
    Fund,
    GrantShare,
    Hold,
    HoldStatus,
    JournalEntry,
    RebateGrant,
)
from crmkit.domain.deduction import DeductionPolicy, OrderLine, TradeMode
from crmkit.testing.strategies import texts, timestamps

CODES = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


def amounts(max_units: int = 10**12, scale: int = 2) -> st.SearchStrategy[Decimal]:
    """Non-negative amounts with ``scale`` decimals (stored exactly by every backend)."""
    return st.integers(0, max_units).map(lambda n: Decimal(n).scaleb(-scale))


@st.composite
def customer_accounts(draw: st.DrawFn, tenant: TenantId) -> CustomerAccount:
    """Any storable account of ``tenant`` (balances need not be consistent)."""
    created = draw(timestamps())
    return CustomerAccount(
        id=new_id(),
        tenant_id=tenant,
        customer_id=draw(texts(64)),
        currency=draw(st.sampled_from(["CNY", "JPY", "KWD", "EUR"])),
        prepayment_balance=draw(amounts()),
        prepayment_held=draw(amounts()),
        rebate_balance=draw(amounts()),
        rebate_held=draw(amounts()),
        credit_balance=draw(amounts()),
        credit_held=draw(amounts()),
        credit_limit=draw(amounts()),
        last_seq=draw(st.integers(0, 2**31 - 1)),
        created_at=created,
        updated_at=draw(timestamps()),
        version=draw(st.integers(1, 2**31 - 1)),
    )


@st.composite
def rebate_grants(draw: st.DrawFn, tenant: TenantId, account_id: str) -> RebateGrant:
    """Any storable rebate grant of the account."""
    return RebateGrant(
        id=new_id(),
        tenant_id=tenant,
        account_id=account_id,
        granted=draw(amounts()),
        balance=draw(amounts()),
        held=draw(amounts()),
        expires_at=draw(st.none() | timestamps()),
        products=tuple(sorted(set(draw(st.lists(CODES, max_size=3))))),
        categories=tuple(sorted(set(draw(st.lists(texts(20), max_size=3))))),
        created_at=draw(timestamps()),
        version=draw(st.integers(1, 1000)),
    )


@st.composite
def holds(draw: st.DrawFn, tenant: TenantId, account_id: str) -> Hold:
    """Any storable hold of the account."""
    fund = draw(st.sampled_from(list(Fund)))
    shares: tuple[GrantShare, ...] = ()
    if fund is Fund.REBATE:
        shares = tuple(
            GrantShare(new_id(), a) for a in draw(st.lists(amounts(), min_size=1, max_size=3))
        )
    return Hold(
        id=new_id(),
        tenant_id=tenant,
        account_id=account_id,
        order_id=draw(CODES),
        fund=fund,
        amount=draw(amounts()),
        posted=draw(amounts()),
        voided=draw(amounts()),
        refunded=draw(amounts()),
        shares=shares,
        status=draw(st.sampled_from(list(HoldStatus))),
        expires_at=draw(st.none() | timestamps()),
        created_at=draw(timestamps()),
        updated_at=draw(timestamps()),
        version=draw(st.integers(1, 1000)),
    )


@st.composite
def journal_entries(draw: st.DrawFn, tenant: TenantId, account_id: str, seq: int) -> JournalEntry:
    """Any storable journal entry of the account with this ``seq``."""
    signed = st.integers(-(10**12), 10**12).map(lambda n: Decimal(n).scaleb(-2))
    return JournalEntry(
        tenant_id=tenant,
        account_id=account_id,
        seq=seq,
        key=draw(texts(128)),
        kind=draw(st.sampled_from(list(EntryKind))),
        fund=draw(st.sampled_from(list(Fund))),
        balance_delta=draw(signed),
        held_delta=draw(signed),
        balance_after=draw(amounts()),
        held_after=draw(amounts()),
        grant_id=draw(st.none() | st.just(new_id())),
        hold_id=draw(st.none() | st.just(new_id())),
        order_id=draw(st.none() | CODES),
        created_at=draw(timestamps()),
    )


@st.composite
def policies(draw: st.DrawFn) -> DeductionPolicy:
    """Any valid deduction policy."""
    mode = draw(st.sampled_from(list(TradeMode)))
    order = tuple(draw(st.permutations(list(Fund))))
    if mode is not TradeMode.CREDIT_SALE:
        order = order[: draw(st.integers(1, 3))]
    return DeductionPolicy(
        fund_order=order,
        rebate_max_percent=draw(st.none() | st.integers(0, 100).map(Decimal)),
        rebate_max_amount=draw(st.none() | amounts(10**6)),
        rebate_products=draw(st.none() | st.lists(st.sampled_from(["P1", "P2", "P3"]))),
        rebate_categories=draw(st.none() | st.lists(st.sampled_from(["tea", "rice"]))),
        allow_credit=mode is TradeMode.CREDIT_SALE or draw(st.booleans()),
        trade_mode=mode,
    )


@st.composite
def order_lines(draw: st.DrawFn, currency: str = "CNY") -> list[OrderLine]:
    """One to four order lines with positive total, in ``currency``."""
    lines = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["P1", "P2", "P3", "P4"]),
                st.sampled_from([None, "tea", "rice"]),
                amounts(10**7),
            ),
            min_size=1,
            max_size=4,
        ).filter(lambda ls: sum(a for _, _, a in ls) > 0)
    )
    return [OrderLine(p, c, Money(a, currency)) for p, c, a in lines]
