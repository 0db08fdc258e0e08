"""The customer account service contract (客户账户): funds, rebates, credit, holds and statements
keep their promises; rejections change nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.domain import (
    DuplicateRequest,
    InvalidStateTransition,
    Money,
    NotFound,
    ValidationError,
)
from crmkit.domain.account_errors import (
    AccountCurrencyMismatch,
    AmountExceedsHold,
    CreditLimitBelowUsage,
    HoldExpired,
    HoldResolved,
    InsufficientFunds,
    OrderHasPendingHolds,
    RepaymentExceedsCreditUsed,
)
from crmkit.domain.accounts import (
    EntryKind,
    Fund,
    FundBalance,
    HoldStatus,
    JournalEntry,
)
from crmkit.domain.deduction import DeductionPolicy, OrderLine, TradeMode
from crmkit.services import Storage
from crmkit.services.account_ports import DEFAULT_SCOPE
from crmkit.testing.contracts.account_repositories import D, lines
from crmkit.testing.ledger import T0, Opened, check_ledger, cny
from crmkit.testing.tenants import fresh_tenant


class CustomerAccountServiceContract:
    """The customer account service keeps its promises on every storage."""

    def _account(self, storage: Storage) -> Opened:
        return Opened.of(storage, fresh_tenant())

    def test_deposit_and_refund_move_the_prepayment(self, storage: Storage) -> None:
        """Deposits add to prepayment, refunds take from it, each with one journal entry."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny("100.50"), key="d1")
        moved = service.refund_prepayment(account_id, cny("30.25"), key="r1")
        assert [e.kind for e in moved.entries] == [EntryKind.PREPAYMENT_REFUND]
        account = service.get_account(account_id)
        assert account.fund(Fund.PREPAYMENT) == FundBalance(Decimal("70.25"), Decimal(0))
        check_ledger(opened.state())

    def test_a_repeated_key_returns_the_first_result_and_changes_nothing(
        self, storage: Storage
    ) -> None:
        """Sending a movement twice under one key deposits once and returns the same entries."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        first = service.deposit(account_id, cny(100), key="same")
        with opened.unchanged():
            assert service.deposit(account_id, cny("100.00"), key="same") == first

    def test_a_repeated_key_with_other_content_is_refused(self, storage: Storage) -> None:
        """Reusing a key for another amount or operation raises DuplicateRequest; no change."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(100), key="k")
        with opened.unchanged():
            with pytest.raises(DuplicateRequest) as raised:
                service.deposit(account_id, cny(101), key="k")
            assert raised.value.code == "duplicate_request"
            with pytest.raises(DuplicateRequest):
                service.grant_rebate(account_id, cny(100), key="k")

    def test_rejections_raise_their_error_and_change_nothing(self, storage: Storage) -> None:
        """Shortfall, wrong currency, unknown account and bad amounts change nothing."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(50), key="d")
        with opened.unchanged():
            with pytest.raises(InsufficientFunds) as short:
                service.refund_prepayment(account_id, cny(51), key="r")
            assert short.value.details["shortfall"] == {"prepayment": Decimal(1)}
            with pytest.raises(AccountCurrencyMismatch) as currency:
                service.deposit(account_id, Money(5, "USD"), key="usd")
            assert currency.value.code == "account_currency_mismatch"
            with pytest.raises(NotFound):
                service.deposit("no-such-account", cny(5), key="nf")
            with pytest.raises(ValidationError):
                service.deposit(account_id, cny("0.001"), key="sub-cent")
            with pytest.raises(ValidationError):
                service.deposit(account_id, cny(-5), key="negative")
            with pytest.raises(RepaymentExceedsCreditUsed):
                service.repay_credit(account_id, cny(1), key="repay")
            with pytest.raises(InsufficientFunds):
                service.place_holds(account_id, "SO-1", cny(80), lines("80"), key="h")
            with pytest.raises(AccountCurrencyMismatch):
                service.place_holds(
                    account_id,
                    "SO-1",
                    Money(8, "USD"),
                    [OrderLine("P", None, Money(8, "USD"))],
                    key="h-usd",
                )

    def test_a_shortfall_states_what_each_fund_lacked(self, storage: Storage) -> None:
        """An order the funds cannot pay names the shortfall per fund; nothing is held."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(300), key="d")
        service.set_credit_limit(account_id, cny(200), key="c")
        with opened.unchanged():
            with pytest.raises(InsufficientFunds) as raised:
                service.place_holds(account_id, "SO-1", cny(1000), lines("1000"), key="h")
            assert raised.value.details["total"] == Decimal(500)
            assert raised.value.details["shortfall"] == {
                "rebate": Decimal(1000),
                "prepayment": Decimal(700),
                "credit": Decimal(500),
            }

    def test_holds_follow_the_policy_with_a_capped_rebate(self, storage: Storage) -> None:
        """Rebate pays up to its cap, prepayment next, the rest on credit: one hold per fund."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(500), key="d")
        service.grant_rebate(account_id, cny(300), key="g")
        service.set_credit_limit(account_id, cny(1000), key="c")
        service.set_default_policy(DeductionPolicy(rebate_max_percent="10"))
        moved = service.place_holds(account_id, "SO-1", cny(1200), lines("1200"), key="h")
        by_fund = {h.fund: h.amount for h in service.holds_of_order(account_id, "SO-1")}
        assert by_fund == {Fund.REBATE: 120, Fund.PREPAYMENT: 500, Fund.CREDIT: 580}
        assert len(moved.hold_ids) == 3
        assert moved.explanation == (
            "rebate: 120.00 (1200.00 wanted, capped at 10% of the order = 120.00; "
            "300.00 available)",
            "prepayment: 500.00 of 1080.00 wanted (500.00 available)",
            "credit: 580.00 of 580.00 wanted (1000.00 available)",
        )
        account = service.get_account(account_id)
        assert account.fund(Fund.CREDIT).available == Decimal(420)
        check_ledger(opened.state())
        service.post_delivery(account_id, "SO-1", cny(600), key="p")
        summary = service.fund_summaries(account_id)
        assert (summary[Fund.REBATE].posted, summary[Fund.REBATE].held) == (D(60), D(60))
        assert summary[Fund.PREPAYMENT].available == D(0)
        credit = summary[Fund.CREDIT]
        assert (credit.limit, credit.used, credit.held, credit.available) == (
            D(1000),
            D(290),
            D(290),
            D(420),
        )

    def test_an_account_policy_overrides_the_tenant_default(self, storage: Storage) -> None:
        """The account's own policy wins over the tenant default, which wins over the built-in."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        assert service.policy_for(account_id) == DeductionPolicy()
        default = DeductionPolicy(trade_mode=TradeMode.PAY_NOW, allow_credit=False)
        own = DeductionPolicy(fund_order=(Fund.PREPAYMENT,), rebate_max_amount="5")
        service.set_default_policy(default)
        assert service.policy_for(account_id) == default
        service.set_account_policy(account_id, own)
        service.set_default_policy(DeductionPolicy(allow_credit=False))
        assert service.policy_for(account_id) == own
        with storage.unit_of_work(opened.tenant) as uow:
            stored = uow.deduction_policies.get(DEFAULT_SCOPE)
        assert stored is not None
        assert stored.version == 2

    def test_pay_now_leaves_the_rest_as_cash_due(self, storage: Storage) -> None:
        """Pay-now deducts what funds have (never credit) and holds nothing for the rest."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(40), key="d")
        service.set_credit_limit(account_id, cny(1000), key="c")
        service.set_account_policy(account_id, DeductionPolicy(trade_mode=TradeMode.PAY_NOW))
        plan = service.preview_deduction(account_id, cny(100), lines("100"))
        assert (plan.amount(Fund.PREPAYMENT), plan.amount(Fund.CREDIT), plan.cash_due) == (
            D(40),
            D(0),
            D(60),
        )
        service.place_holds(account_id, "SO-1", cny(100), lines("100"), key="h")
        assert [h.fund for h in service.holds_of_order(account_id, "SO-1")] == [Fund.PREPAYMENT]

    def test_deliveries_post_their_share_and_the_last_posts_the_rest(
        self, storage: Storage
    ) -> None:
        """Partial deliveries split by largest remainder; the final one posts the remainder."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(100), key="d")
        service.set_credit_limit(account_id, cny(200), key="c")
        service.place_holds(account_id, "SO-1", cny("200.01"), lines("200.01"), key="h")
        service.post_delivery(account_id, "SO-1", cny("66.67"), key="p1")
        posted = {h.fund: h.posted for h in service.holds_of_order(account_id, "SO-1")}
        assert posted == {Fund.PREPAYMENT: Decimal("33.33"), Fund.CREDIT: Decimal("33.34")}
        service.post_delivery(account_id, "SO-1", None, key="p2", final=True)
        final = service.holds_of_order(account_id, "SO-1")
        assert all(h.status is HoldStatus.RESOLVED and h.posted == h.amount for h in final)
        account = service.get_account(account_id)
        assert (account.prepayment_balance, account.credit_used) == (D(0), D("100.01"))
        with opened.unchanged(), pytest.raises(InvalidStateTransition):
            service.post_delivery(account_id, "SO-1", cny(1), key="p3")
        check_ledger(opened.state())

    def test_a_partial_post_with_release_resolves_the_hold_once(self, storage: Storage) -> None:
        """Posting less than held and releasing the rest resolves the hold; it takes no more."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(100), key="d")
        (hold_id,) = service.place_holds(account_id, "SO-1", cny(80), lines("80"), key="h").hold_ids
        with pytest.raises(AmountExceedsHold):
            service.post_hold(hold_id, cny(81), key="too-much")
        service.post_hold(hold_id, cny(50), key="p", release_rest=True)
        hold = service.get_hold(hold_id)
        assert (hold.posted, hold.voided, hold.status) == (D(50), D(30), HoldStatus.RESOLVED)
        with opened.unchanged():
            with pytest.raises(HoldResolved):
                service.void_hold(hold_id, key="v")
            with pytest.raises(HoldResolved):
                service.post_hold(hold_id, key="p-again")
        assert service.get_account(account_id).fund(Fund.PREPAYMENT) == FundBalance(
            Decimal(50), Decimal(0)
        )

    def test_cancelling_voids_what_is_left_and_reopening_rechecks(self, storage: Storage) -> None:
        """Voiding an order releases its holds; placing again needs the funds again."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.set_credit_limit(account_id, cny(100), key="c")
        service.set_account_policy(account_id, DeductionPolicy(trade_mode=TradeMode.CREDIT_SALE))
        service.place_holds(account_id, "SO-1", cny(100), lines("100"), key="h1")
        with pytest.raises(OrderHasPendingHolds):
            service.place_holds(account_id, "SO-1", cny(100), lines("100"), key="h1b")
        service.void_order(account_id, "SO-1", key="v1")
        service.place_holds(account_id, "SO-2", cny(60), lines("60"), key="h2")
        with pytest.raises(InsufficientFunds):
            service.place_holds(account_id, "SO-1", cny(100), lines("100"), key="h1c")
        assert service.get_account(account_id).credit_held == 60

    def test_stale_holds_expire_with_the_clock(self, storage: Storage) -> None:
        """expire_holds voids pending holds whose expiry has come, and only those."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(100), key="d")
        soon = T0 + timedelta(hours=1)
        service.place_holds(account_id, "SO-1", cny(30), lines("30"), key="h1", expires_at=soon)
        service.place_holds(account_id, "SO-2", cny(20), lines("20"), key="h2")
        assert service.expire_holds() == []
        opened.clock.advance(timedelta(hours=2))
        with opened.unchanged(), pytest.raises(HoldExpired):
            service.post_delivery(account_id, "SO-1", None, key="late", final=True)
        expired = service.expire_holds()
        assert [e.kind for m in expired for e in m.entries] == [EntryKind.VOID]
        assert service.expire_holds() == []
        assert service.get_account(account_id).prepayment_held == 20
        check_ledger(opened.state())

    def test_rebate_grants_expire_and_respect_their_restriction(self, storage: Storage) -> None:
        """Restricted grants pay only eligible lines; expired grants stop paying and expire."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(1000), key="d")
        end = T0 + timedelta(days=30)
        service.grant_rebate(account_id, cny(50), key="g1", expires_at=end, categories=["rice"])
        service.grant_rebate(account_id, cny(70), key="g2", products=["P9"])
        order = [*lines("100"), *lines("40", product="P2", category="rice")]
        plan = service.preview_deduction(account_id, cny(140), order)
        assert plan.amount(Fund.REBATE) == 40
        opened.clock.advance(timedelta(days=31))
        later = service.preview_deduction(account_id, cny(140), order)
        assert later.amount(Fund.REBATE) == 0
        moved = service.expire_rebates(account_id, key="exp")
        assert [(e.kind, e.balance_delta) for e in moved.entries] == [
            (EntryKind.REBATE_EXPIRY, Decimal(-50))
        ]
        assert service.get_account(account_id).rebate_balance == 70
        check_ledger(opened.state())

    def test_refunds_return_money_to_the_fund_it_came_from(self, storage: Storage) -> None:
        """A refund after posting restores rebate, prepayment and credit in proportion."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(50), key="d")
        service.grant_rebate(account_id, cny(20), key="g")
        service.set_credit_limit(account_id, cny(100), key="c")
        service.place_holds(account_id, "SO-1", cny(100), lines("100"), key="h")
        service.post_delivery(account_id, "SO-1", None, key="p", final=True)
        service.refund_order(account_id, "SO-1", cny(50), key="r")
        account = service.get_account(account_id)
        assert (account.rebate_balance, account.prepayment_balance, account.credit_used) == (
            D(10),
            D(25),
            D(15),
        )
        with opened.unchanged(), pytest.raises(AmountExceedsHold):
            service.refund_order(account_id, "SO-1", cny("50.01"), key="r2")
        check_ledger(opened.state())

    def test_credit_limit_repayment_and_reversal_rules(self, storage: Storage) -> None:
        """The limit never drops below credit in use; repayments and reversals are bounded."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.set_credit_limit(account_id, cny(100), key="c1")
        grant = service.grant_rebate(account_id, cny(10), key="g").entries[0].grant_id
        assert grant is not None
        service.set_account_policy(account_id, DeductionPolicy(fund_order=(Fund.CREDIT,)))
        service.place_holds(account_id, "SO-1", cny(60), lines("60"), key="h")
        service.post_delivery(account_id, "SO-1", cny(40), key="p")
        with opened.unchanged():
            with pytest.raises(CreditLimitBelowUsage):
                service.set_credit_limit(account_id, cny("59.99"), key="c2")
            with pytest.raises(RepaymentExceedsCreditUsed):
                service.repay_credit(account_id, cny("40.01"), key="rp")
            with pytest.raises(InsufficientFunds):
                service.reverse_rebate(account_id, grant, cny(11), key="rv")
            with pytest.raises(NotFound):
                service.reverse_rebate(account_id, "no-grant", cny(1), key="rv2")
        service.set_credit_limit(account_id, cny(60), key="c3")
        service.repay_credit(account_id, cny(40), key="rp2")
        service.reverse_rebate(account_id, grant, cny(10), key="rv3")
        account = service.get_account(account_id)
        assert (account.credit_limit, account.credit_used, account.rebate_balance) == (
            D(60),
            D(0),
            D(0),
        )
        check_ledger(opened.state())

    def test_statement_pages_with_opening_and_closing_balances(self, storage: Storage) -> None:
        """A fund's statement for a period pages by seq and shows balances at both ends."""
        opened = self._account(storage)
        service, account_id = opened.service, opened.account_id
        service.deposit(account_id, cny(10), key="d0")
        opened.clock.advance(timedelta(days=1))
        start = opened.clock.now()
        for n in range(1, 6):
            service.deposit(account_id, cny(n), key=f"d{n}")
            service.grant_rebate(account_id, cny(1), key=f"g{n}")
        opened.clock.advance(timedelta(days=1))
        end = opened.clock.now()
        service.deposit(account_id, cny(100), key="late")
        seen: list[JournalEntry] = []
        cursor = None
        while True:
            page = service.statement(
                account_id, fund=Fund.PREPAYMENT, since=start, until=end, cursor=cursor, limit=2
            )
            seen.extend(page.entries)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert [e.balance_delta for e in seen] == [1, 2, 3, 4, 5]
        assert page.opening == {Fund.PREPAYMENT: FundBalance(Decimal(10), Decimal(0))}
        assert page.closing == {Fund.PREPAYMENT: FundBalance(Decimal(25), Decimal(0))}
        everything = service.statement(account_id, limit=500)
        assert len(everything.entries) == 12
        assert everything.closing[Fund.PREPAYMENT].balance == 125
        assert everything.opening[Fund.REBATE] == FundBalance(Decimal(0), Decimal(0))
        with pytest.raises(ValidationError):
            service.statement(account_id, cursor="not-a-cursor")
