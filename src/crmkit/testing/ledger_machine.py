"""A hypothesis state machine that drives one customer account through random movements.

Rules deposit, refund, grant, reverse and expire rebates, set limits, repay credit, place
holds, post deliveries and holds, void, refund orders, expire holds, and repeat earlier
keys (with the same content: the first result comes back; with other content:
``DuplicateRequest``). Every rejected rule must leave the stored state unchanged; after
every step the ledger invariants of :func:`crmkit.testing.ledger.check_ledger` hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from crmkit.adapters.clock import FixedClock
from crmkit.domain import CrmkitError, DuplicateRequest, Money, TenantId
from crmkit.domain.accounts import Fund, HoldStatus
from crmkit.domain.deduction import DeductionPolicy, OrderLine, TradeMode
from crmkit.services import Storage
from crmkit.services.accounts import CustomerAccountService, Movement
from crmkit.testing.ledger import T0, AccountState, account_state, check_ledger, cny
from crmkit.testing.running import run_machine
from crmkit.testing.tenants import fresh_tenant

AMOUNTS = st.integers(1, 40_000).map(lambda n: Money(Decimal(n).scaleb(-2), "CNY"))
PRODUCTS = st.sampled_from([("P1", "tea"), ("P2", "rice"), ("P3", None)])
LINE_AMOUNTS = st.integers(1, 10_000).map(lambda n: Money(Decimal(n).scaleb(-2), "CNY"))
PERCENT = st.integers(1, 120)
CENT = Decimal("0.01")
POLICIES = st.sampled_from(
    [
        DeductionPolicy(),
        DeductionPolicy(rebate_max_percent="30", rebate_max_amount="50"),
        DeductionPolicy(fund_order=(Fund.PREPAYMENT, Fund.REBATE), rebate_products=["P1"]),
        DeductionPolicy(trade_mode=TradeMode.PAY_NOW, allow_credit=False),
        DeductionPolicy(trade_mode=TradeMode.CREDIT_SALE, rebate_categories=["rice"]),
    ]
)


def ledger_machine(storage: Storage) -> type[RuleBasedStateMachine]:
    """The state machine class bound to ``storage``."""

    class AccountLedgerMachine(RuleBasedStateMachine):
        """One account per run, in a tenant of its own."""

        def __init__(self) -> None:
            super().__init__()
            self.tenant: TenantId = fresh_tenant()
            self.clock = FixedClock(T0)
            self.service = CustomerAccountService(
                lambda: storage.unit_of_work(self.tenant), self.clock
            )
            self.account_id = ""
            self.counter = 0
            self.done: list[tuple[Callable[[str], Movement], str, Movement]] = []
            self.orders: list[str] = []
            self.first_seen: dict[str, int] = {}

        def key(self) -> str:
            self.counter += 1
            return f"k{self.counter}"

        def state(self) -> AccountState:
            """The stored state, holds and grants in an order that does not depend on their
            random ids, so that a replayed example picks the same records."""
            state = account_state(storage, self.tenant, self.account_id)
            for grant in state.grants:
                self.first_seen.setdefault(grant.id, len(self.first_seen))
            return attrs.evolve(
                state,
                grants=tuple(sorted(state.grants, key=lambda g: self.first_seen[g.id])),
                holds=tuple(
                    sorted(state.holds, key=lambda h: (len(h.order_id), h.order_id, h.fund.value))
                ),
            )

        def attempt(self, command: Callable[[str], Movement]) -> bool:
            """Run ``command`` under a new key; a rejection must change nothing."""
            key = self.key()
            before = self.state()
            rejected: CrmkitError | None = None
            try:
                moved = command(key)
            except CrmkitError as error:
                rejected = error
            if rejected is not None:
                assert not isinstance(rejected, DuplicateRequest)
                assert self.state() == before, f"rejected {rejected.code} changed the state"
                return False
            self.done.append((command, key, moved))
            return True

        @initialize(policy=POLICIES)
        def open(self, policy: DeductionPolicy) -> None:
            self.account_id = self.service.open_account("C1", "CNY").id
            self.service.set_account_policy(self.account_id, policy)

        @rule(amount=AMOUNTS)
        def deposit(self, amount: Money) -> None:
            self.attempt(lambda k: self.service.deposit(self.account_id, amount, key=k))

        @rule(amount=AMOUNTS)
        def refund_prepayment(self, amount: Money) -> None:
            self.attempt(lambda k: self.service.refund_prepayment(self.account_id, amount, key=k))

        @rule(amount=AMOUNTS, days=st.none() | st.integers(1, 5), product=PRODUCTS)
        def grant_rebate(
            self, amount: Money, days: int | None, product: tuple[str, str | None]
        ) -> None:
            expiry = None if days is None else self.clock.now() + timedelta(days=days)
            only = [product[0]] if days == 3 else []
            self.attempt(
                lambda k: self.service.grant_rebate(
                    self.account_id, amount, key=k, expires_at=expiry, products=only
                )
            )

        @rule(amount=AMOUNTS, pick=st.integers(0, 9))
        def reverse_rebate(self, amount: Money, pick: int) -> None:
            grants = self.state().grants
            grant_id = grants[pick % len(grants)].id if grants else "none"
            self.attempt(
                lambda k: self.service.reverse_rebate(self.account_id, grant_id, amount, key=k)
            )

        @rule(days=st.integers(0, 3))
        def expire_rebates(self, days: int) -> None:
            self.clock.advance(timedelta(days=days))
            self.attempt(lambda k: self.service.expire_rebates(self.account_id, key=k))

        @rule(limit=st.integers(0, 80_000).map(lambda n: Money(Decimal(n).scaleb(-2), "CNY")))
        def set_credit_limit(self, limit: Money) -> None:
            self.attempt(lambda k: self.service.set_credit_limit(self.account_id, limit, key=k))

        @rule(percent=PERCENT)
        def repay_credit(self, percent: int) -> None:
            amount = self.portion(self.state().account.credit_used, percent)
            self.attempt(lambda k: self.service.repay_credit(self.account_id, amount, key=k))

        @rule(
            parts=st.lists(st.tuples(PRODUCTS, LINE_AMOUNTS), min_size=1, max_size=3),
            expiring=st.booleans(),
        )
        def place_holds(
            self, parts: list[tuple[tuple[str, str | None], Money]], expiring: bool
        ) -> None:
            self.place_order(parts, expiring=expiring)

        def place_order(
            self, parts: list[tuple[tuple[str, str | None], Money]], *, expiring: bool
        ) -> str | None:
            order = f"SO-{self.counter}"
            order_lines = [OrderLine(p, c, m) for (p, c), m in parts]
            total = sum((line.amount for line in order_lines[1:]), order_lines[0].amount)
            expiry = self.clock.now() + timedelta(hours=1) if expiring else None
            if self.attempt(
                lambda k: self.service.place_holds(
                    self.account_id, order, total, order_lines, key=k, expires_at=expiry
                )
            ):
                self.orders.append(order)
                return order
            return None

        def pick_order(self, pick: int, *, pending: bool) -> str:
            """An order with pending holds (or, if none, with posted money) if there is one."""
            holds = self.state().holds
            if pending:
                wanted = sorted({h.order_id for h in holds if h.status is HoldStatus.PENDING})
            else:
                wanted = sorted({h.order_id for h in holds if h.posted > h.refunded})
            choices = wanted or self.orders
            return choices[pick % len(choices)]

        def portion(self, whole: Decimal, percent: int) -> Money:
            """``percent`` of ``whole`` (at least one cent); above 100 it asks too much."""
            return Money(max(Decimal("0.01"), (whole * percent / 100).quantize(CENT)), "CNY")

        @precondition(lambda self: bool(self.orders))
        @rule(pick=st.integers(0, 99), percent=st.none() | PERCENT, final=st.booleans())
        def post_delivery(self, pick: int, percent: int | None, final: bool) -> None:
            self.post_delivery_of(self.pick_order(pick, pending=True), percent, final=final)

        def post_delivery_of(self, order: str, percent: int | None, *, final: bool) -> None:
            left = sum((h.remaining for h in self.state().holds if h.order_id == order), Decimal(0))
            amount = None if percent is None else self.portion(left, percent)
            self.attempt(
                lambda k: self.service.post_delivery(
                    self.account_id, order, amount, key=k, final=final
                )
            )

        @precondition(lambda self: bool(self.orders))
        @rule(pick=st.integers(0, 99), percent=st.none() | PERCENT, release=st.booleans())
        def post_hold(self, pick: int, percent: int | None, release: bool) -> None:
            holds = self.state().holds
            pending = [h for h in holds if h.status is HoldStatus.PENDING] or list(holds)
            if not pending:
                return
            hold = pending[pick % len(pending)]
            amount = None if percent is None else self.portion(hold.remaining, percent)
            self.attempt(
                lambda k: self.service.post_hold(hold.id, amount, key=k, release_rest=release)
            )

        @precondition(lambda self: bool(self.orders))
        @rule(pick=st.integers(0, 99))
        def void_order(self, pick: int) -> None:
            order = self.pick_order(pick, pending=True)
            self.attempt(lambda k: self.service.void_order(self.account_id, order, key=k))

        @precondition(lambda self: bool(self.orders))
        @rule(pick=st.integers(0, 99), percent=PERCENT)
        def refund_order(self, pick: int, percent: int) -> None:
            self.refund_order_of(self.pick_order(pick, pending=False), percent)

        def refund_order_of(self, order: str, percent: int) -> None:
            kept = sum(
                (h.posted - h.refunded for h in self.state().holds if h.order_id == order),
                Decimal(0),
            )
            amount = self.portion(kept, percent)
            self.attempt(lambda k: self.service.refund_order(self.account_id, order, amount, key=k))

        @rule(
            parts=st.lists(st.tuples(PRODUCTS, LINE_AMOUNTS), min_size=1, max_size=2),
            deliveries=st.lists(PERCENT, max_size=3),
            ending=st.sampled_from(["final", "void", "refund", "open"]),
            refund=PERCENT,
        )
        def order_lifecycle(
            self,
            parts: list[tuple[tuple[str, str | None], Money]],
            deliveries: list[int],
            ending: str,
            refund: int,
        ) -> None:
            """Place holds, deliver in parts, then finish, cancel or refund the order."""
            order = self.place_order(parts, expiring=False)
            if order is None:
                return
            for percent in deliveries:
                self.post_delivery_of(order, percent, final=False)
            if ending == "final":
                self.post_delivery_of(order, None, final=True)
            elif ending == "void":
                self.attempt(lambda k: self.service.void_order(self.account_id, order, key=k))
            elif ending == "refund":
                self.post_delivery_of(order, None, final=True)
                self.refund_order_of(order, refund)

        @rule()
        def expire_holds(self) -> None:
            self.clock.advance(timedelta(minutes=40))
            self.service.expire_holds()
            pending = [h for h in self.state().holds if h.status is HoldStatus.PENDING]
            assert all(h.expires_at is None or h.expires_at > self.clock.now() for h in pending)

        @precondition(lambda self: bool(self.done))
        @rule(pick=st.integers(0, 99))
        def repeat_a_key(self, pick: int) -> None:
            command, key, first = self.done[pick % len(self.done)]
            before = self.state()
            assert command(key) == first
            assert self.state() == before

        @precondition(lambda self: bool(self.done))
        @rule(pick=st.integers(0, 99))
        def reuse_a_key_for_other_content(self, pick: int) -> None:
            _, key, _ = self.done[pick % len(self.done)]
            before = self.state()
            try:
                self.service.deposit(self.account_id, cny("999999.99"), key=key)
            except DuplicateRequest:
                pass
            else:
                raise AssertionError("a reused key was accepted")
            assert self.state() == before

        @invariant()
        def ledger_balances(self) -> None:
            if self.account_id:
                check_ledger(self.state())

    return AccountLedgerMachine


def run_ledger_machine(storage: Storage, *, max_examples: int, steps: int) -> None:
    """Run the ledger machine against ``storage`` with the given bounds."""
    run_machine(ledger_machine(storage), examples=max_examples, steps=steps)
