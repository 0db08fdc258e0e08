"""plan_deduction and the hold arithmetic: hypothesis properties and pinned examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import Money, TenantId, ValidationError
from crmkit.domain.account_errors import AccountCurrencyMismatch, InsufficientFunds
from crmkit.domain.accounts import Fund, GrantShare, Hold, HoldStatus, RebateGrant
from crmkit.domain.deduction import (
    AvailableFunds,
    DeductionPlan,
    DeductionPolicy,
    OrderLine,
    TradeMode,
    plan_deduction,
)
from crmkit.testing.account_strategies import amounts, order_lines, policies

NOW = datetime(2026, 3, 1, tzinfo=UTC)
D = Decimal


def cny(amount: str | int | Decimal) -> Money:
    """``amount`` yuan."""
    return Money(D(amount), "CNY")


def grant(
    available: Decimal,
    *,
    expires_in: int | None = None,
    products: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    grant_id: str = "g1",
) -> RebateGrant:
    """A grant of ``available`` that expires in ``expires_in`` days (None: never)."""
    return RebateGrant(
        id=grant_id,
        tenant_id=TenantId("t"),
        account_id="a",
        granted=available,
        balance=available,
        held=D(0),
        expires_at=None if expires_in is None else NOW + timedelta(days=expires_in),
        products=products,
        categories=categories,
        created_at=NOW,
    )


@st.composite
def funds(draw: st.DrawFn) -> AvailableFunds:
    """Available funds with up to three rebate grants, some expired or restricted."""
    grants = [
        grant(
            draw(amounts(10**6)),
            expires_in=draw(st.none() | st.integers(-3, 3)),
            products=tuple(draw(st.lists(st.sampled_from(["P1", "P2"]), max_size=1))),
            categories=tuple(draw(st.lists(st.sampled_from(["tea", "rice"]), max_size=1))),
            grant_id=f"g{n}",
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    return AvailableFunds(
        account_id="a",
        currency="CNY",
        prepayment=draw(amounts(10**7)),
        credit=draw(amounts(10**7)),
        grants=tuple(grants),
    )


def _rebate_base(lines: list[OrderLine], policy: DeductionPolicy, g: RebateGrant | None) -> Decimal:
    return sum(
        (
            line.amount.amount
            for line in lines
            if policy.rebate_allows(line.product_id, line.category)
            and (g is None or g.covers(line.product_id, line.category))
        ),
        D(0),
    )


class TestPlanProperties:
    """Properties that hold for every order, balance and policy."""

    @given(lines=order_lines(), available=funds(), policy=policies())
    def test_a_plan_pays_exactly_the_order_within_every_limit(
        self, lines: list[OrderLine], available: AvailableFunds, policy: DeductionPolicy
    ) -> None:
        """Parts plus cash due equal the order; each fund, grant and cap is respected."""
        total = sum((line.amount for line in lines[1:]), lines[0].amount)
        refused: InsufficientFunds | None = None
        try:
            plan = plan_deduction(total, lines, available, policy, NOW)
        except InsufficientFunds as short:
            refused = short
        if refused is not None:
            assert policy.trade_mode is not TradeMode.PAY_NOW
            assert refused.details["total"] > 0
            assert refused.details["total"] == min(refused.details["shortfall"].values())
            return
        assert sum((p.amount for p in plan.parts), D(0)) + plan.cash_due == total.amount
        assert plan.cash_due == 0 or policy.trade_mode is TradeMode.PAY_NOW
        assert all(p.amount > 0 and p.fund in policy.fund_order for p in plan.parts)
        assert plan.amount(Fund.PREPAYMENT) <= available.prepayment
        assert plan.amount(Fund.CREDIT) <= available.credit
        if not policy.allow_credit or policy.trade_mode is TradeMode.PAY_NOW:
            assert plan.amount(Fund.CREDIT) == 0
        rebate = plan.amount(Fund.REBATE)
        if policy.rebate_max_percent is not None:
            assert rebate <= total.amount * policy.rebate_max_percent / 100
        if policy.rebate_max_amount is not None:
            assert rebate <= policy.rebate_max_amount
        assert rebate <= _rebate_base(lines, policy, None)
        by_id = {g.id: g for g in available.grants}
        for part in plan.parts:
            if part.fund is Fund.REBATE:
                assert sum((s.amount for s in part.shares), D(0)) == part.amount
                for share in part.shares:
                    used = by_id[share.grant_id]
                    assert not used.expired(NOW)
                    assert share.amount <= used.available
                    assert share.amount <= _rebate_base(lines, policy, used)

    @given(lines=order_lines(), available=funds(), policy=policies())
    def test_planning_is_pure(
        self, lines: list[OrderLine], available: AvailableFunds, policy: DeductionPolicy
    ) -> None:
        """The same inputs give the same plan (or the same refusal) every time."""
        total = sum((line.amount for line in lines[1:]), lines[0].amount)

        def outcome() -> DeductionPlan | str:
            try:
                return plan_deduction(total, lines, available, policy, NOW)
            except InsufficientFunds as short:
                return str(short)

        assert outcome() == outcome()

    @given(policy=policies())
    def test_policies_survive_their_json(self, policy: DeductionPolicy) -> None:
        """A policy stored as JSON loads back equal."""
        assert DeductionPolicy.from_json(policy.to_json()) == policy


class TestPlanExamples:
    """Pinned examples: the rounding rule, the worked example of the docs, rejections."""

    def test_the_worked_example_of_the_docs(self) -> None:
        """1,000 CNY: rebate capped at 10% (100), 300 prepayment, 600 on credit."""
        available = AvailableFunds("a", "CNY", D(300), D(2000), (grant(D(250)),))
        policy = DeductionPolicy(rebate_max_percent="10", rebate_max_amount="150")
        lines = [OrderLine("P1", "tea", cny(600)), OrderLine("P2", "rice", cny(400))]
        plan = plan_deduction(cny(1000), lines, available, policy, NOW)
        assert [(p.fund, p.amount) for p in plan.parts] == [
            (Fund.REBATE, D(100)),
            (Fund.PREPAYMENT, D(300)),
            (Fund.CREDIT, D(600)),
        ]
        assert plan.parts[0].shares == (GrantShare("g1", D(100)),)

    def test_a_share_cap_rounds_down_to_the_minor_unit(self) -> None:
        """10% of 100.05 is 10.005; the cap is 10.00 (Rounding.DOWN), never above."""
        available = AvailableFunds("a", "CNY", D(1000), D(0), (grant(D(50)),))
        policy = DeductionPolicy(rebate_max_percent="10")
        plan = plan_deduction(
            cny("100.05"), [OrderLine("P", None, cny("100.05"))], available, policy, NOW
        )
        assert plan.amount(Fund.REBATE) == D("10.00")

    def test_soonest_expiring_grants_pay_first(self) -> None:
        """A grant expiring tomorrow is used before one that never expires."""
        grants = (grant(D(10), grant_id="never"), grant(D(10), expires_in=1, grant_id="soon"))
        available = AvailableFunds("a", "CNY", D(100), D(0), grants)
        plan = plan_deduction(
            cny(15), [OrderLine("P", None, cny(15))], available, DeductionPolicy(), NOW
        )
        assert plan.parts[0].shares == (GrantShare("soon", D(10)), GrantShare("never", D(5)))

    def test_another_currency_is_refused(self) -> None:
        """An order in USD against a CNY account raises AccountCurrencyMismatch."""
        available = AvailableFunds("a", "CNY", D(100), D(0), ())
        usd = Money(D(5), "USD")
        with pytest.raises(AccountCurrencyMismatch):
            plan_deduction(usd, [OrderLine("P", None, usd)], available, DeductionPolicy(), NOW)

    def test_lines_must_add_up_to_the_order(self) -> None:
        """Lines that do not sum to the order amount raise ValidationError."""
        available = AvailableFunds("a", "CNY", D(100), D(0), ())
        with pytest.raises(ValidationError):
            plan_deduction(
                cny(10), [OrderLine("P", None, cny(9))], available, DeductionPolicy(), NOW
            )

    def test_a_credit_sale_policy_must_allow_credit(self) -> None:
        """Declaring credit sale without credit is refused when the policy is made."""
        with pytest.raises(ValidationError):
            DeductionPolicy(trade_mode=TradeMode.CREDIT_SALE, allow_credit=False)
        with pytest.raises(ValidationError):
            DeductionPolicy(fund_order=(Fund.REBATE, Fund.REBATE))
        with pytest.raises(ValidationError):
            DeductionPolicy(rebate_max_percent="150")


class TestHoldArithmetic:
    """How rebate holds map ranges of their amount onto grants, and delivery shares."""

    @given(
        shares=st.lists(amounts(10**6).filter(bool), min_size=1, max_size=4),
        cut=st.integers(0, 100),
    )
    def test_two_adjacent_splits_make_the_whole(self, shares: list[Decimal], cut: int) -> None:
        """split(0, x) and split(x, rest) together give back every share exactly."""
        total = sum(shares, D(0))
        hold = Hold(
            id="h",
            tenant_id=TenantId("t"),
            account_id="a",
            order_id="o",
            fund=Fund.REBATE,
            amount=total,
            posted=D(0),
            voided=D(0),
            refunded=D(0),
            shares=tuple(GrantShare(f"g{n}", s) for n, s in enumerate(shares)),
            status=HoldStatus.PENDING,
            expires_at=None,
            created_at=NOW,
            updated_at=NOW,
        )
        first = (total * cut / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
        parts = hold.split(D(0), first) + hold.split(first, total - first)
        per_grant: dict[str, Decimal] = {}
        for part in parts:
            per_grant[part.grant_id] = per_grant.get(part.grant_id, D(0)) + part.amount
        assert per_grant == {s.grant_id: s.amount for s in hold.shares}

    @given(
        remaining=st.lists(amounts(10**6).filter(bool), min_size=1, max_size=3),
        percent=st.integers(1, 99),
    )
    def test_a_partial_delivery_never_posts_more_than_a_hold_has(
        self, remaining: list[Decimal], percent: int
    ) -> None:
        """Largest-remainder shares of a delivery below the total stay within each hold."""
        left = sum(remaining, D(0))
        delivered = (left * percent / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
        if delivered == 0:
            return
        parts = cny(delivered).allocate(remaining)
        assert sum((p.amount for p in parts), D(0)) == delivered
        assert all(p.amount <= r for p, r in zip(parts, remaining, strict=True))


class TestRebatePercent:
    """rebate_max_percent is a percent, like every *_percent field."""

    def test_ten_means_ten_percent(self) -> None:
        """A value of 10 caps rebate at 10 % of the order; 0..100 is the accepted range."""
        assert DeductionPolicy(rebate_max_percent="10").rebate_max_percent == Decimal(10)
        with pytest.raises(ValidationError, match="rebate_max_percent"):
            DeductionPolicy(rebate_max_percent="100.5")
        with pytest.raises(ValidationError):
            DeductionPolicy(rebate_max_percent="-1")

    def test_a_policy_stored_with_a_fraction_loads_as_a_percent(self) -> None:
        """JSON stored before the rename (rebate_max_share 0.1) reads back as 10 %."""
        stored = DeductionPolicy(rebate_max_percent="10").to_json()
        legacy = stored.replace('"rebate_max_percent": "10.0000"', '"rebate_max_share": "0.1"')
        assert legacy != stored
        assert DeductionPolicy.from_json(legacy).rebate_max_percent == Decimal(10)
        assert DeductionPolicy.from_json(stored) == DeductionPolicy(rebate_max_percent="10")
