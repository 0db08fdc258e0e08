"""The customer account service (客户账户): funds, holds, deductions and statements.

Every movement takes a caller-supplied idempotency ``key``: repeating it returns the first
result and changes nothing; reusing it for other content raises ``DuplicateRequest``. A
movement runs in one unit of work that first locks the account (``for_update`` on SQL
servers, a version-checked write everywhere), so concurrent writers on one account are
serialised and retried, never interleaved; a rejected movement changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import Money, NotFound, ValidationError, utc_millis
from crmkit.domain.account_errors import (
    AccountCurrencyMismatch,
    AmountExceedsHold,
    CreditLimitBelowUsage,
    HoldResolved,
    OrderHasPendingHolds,
    RepaymentExceedsCreditUsed,
)
from crmkit.domain.accounts import (
    ZERO,
    CustomerAccount,
    EntryKind,
    Fund,
    FundBalance,
    Hold,
    HoldStatus,
    JournalEntry,
    Ledger,
    RebateGrant,
    order_id,
    positive_amount,
)
from crmkit.domain.deduction import (
    DeductionPlan,
    DeductionPolicy,
    OrderLine,
    plan_deduction,
)
from crmkit.domain.ids import new_id
from crmkit.domain.requests import request_key
from crmkit.services.account_ports import DEFAULT_SCOPE, StoredPolicy
from crmkit.services.account_steps import (
    available_funds,
    balance_at,
    credit_back,
    current_account,
    current_ledger,
    expired_by_itself,
    hold_plan,
    is_expired,
    open_ledger,
    pending,
    pending_of_order,
    post,
    post_share,
    require_available,
    save_ledger,
    void,
    void_expired,
)
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import fingerprint, remember, replay
from crmkit.services.pagination import check_page_size, decode_cursor, encode_cursor
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.retry import retrying

MOVEMENT_ATTEMPTS = 30
MOVEMENT_MAX_DELAY_S = 0.5
"""Movements on one account are retried at most 30 times after a conflict, sleeping up to
0.5 s (jittered, exponential): enough for a handful of writers racing on one account on
optimistic backends (MongoDB, memory), still bounded."""

DELIVERY_ROUNDING = "largest remainder (Money.allocate)"
"""How a partial delivery's value is split over an order's holds: in proportion to what
each still holds, in whole minor units, leftover units to the largest remainders."""


EXPIRED_HOLD = "expired hold"
"""How a movement's explanation starts when it voided (or found voided) an expired hold."""


@attrs.frozen
class Movement:
    """What a keyed command did: its journal entries (and, for holds, the plan's reasons)."""

    key: str
    account_id: str
    entries: tuple[JournalEntry, ...]
    explanation: tuple[str, ...] = ()

    @property
    def hold_ids(self) -> tuple[str, ...]:
        """The holds the entries touched, in order of first appearance."""
        return tuple(dict.fromkeys(e.hold_id for e in self.entries if e.hold_id is not None))


@attrs.frozen
class FundSummary:
    """What one fund shows.

    ``balance`` is what the fund holds in total, including what is ``held`` for orders not
    yet delivered; ``available = balance - held`` is what can still be spent or held (for
    credit: the unused part of the limit). ``posted`` is what went to delivered orders, net
    of refunds; for credit also the ``limit`` and what is ``used`` (owed).
    """

    fund: Fund
    balance: Decimal
    held: Decimal
    available: Decimal
    posted: Decimal
    limit: Decimal | None = None
    used: Decimal | None = None


@attrs.frozen
class Statement:
    """A page of an account's journal, with the fund balances at the period's ends."""

    account_id: str
    currency: str
    fund: Fund | None
    since: datetime | None
    until: datetime | None
    opening: dict[Fund, FundBalance]
    closing: dict[Fund, FundBalance]
    entries: tuple[JournalEntry, ...]
    next_cursor: str | None


Act = Callable[[UnitOfWork, Ledger], Sequence[str]]


@checked_calls
class CustomerAccountService:
    """Keeps the customer accounts of one tenant (see the module docstring)."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        default_policy: DeductionPolicy | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._default_policy = default_policy or DeductionPolicy()

    # -- accounts and reads -------------------------------------------------------------

    def open_account(self, customer_id: str, currency: str) -> CustomerAccount:
        """Open the customer's account in ``currency`` with every fund at zero.

        Raises:
            DuplicateRecord: the customer has an account in this currency already.
            ValidationError: the customer id or currency is not valid.
        """
        with self._uow() as uow:
            account = CustomerAccount.new(uow.tenant_id, customer_id, currency, self._clock.now())
            uow.customer_accounts.add(account)
            uow.commit()
        return account

    def fund_summaries(self, account_id: str) -> dict[Fund, FundSummary]:
        """Each fund's available, held and posted amounts (credit: also limit and used).

        A hold whose expiry has passed no longer counts as held, whether or not
        :meth:`expire_holds` has run.

        Raises:
            NotFound: no such account in this tenant.
        """
        with self._uow() as uow:
            account = current_account(uow, account_id, self._clock.now())
            holds = uow.holds.of_account(account_id)
        summaries: dict[Fund, FundSummary] = {}
        for fund in Fund:
            numbers = account.fund(fund)
            posted = sum((h.posted - h.refunded for h in holds if h.fund is fund), ZERO)
            credit = fund is Fund.CREDIT
            summaries[fund] = FundSummary(
                fund=fund,
                balance=numbers.balance,
                held=numbers.held,
                available=numbers.available,
                posted=posted,
                limit=account.credit_limit if credit else None,
                used=account.credit_used if credit else None,
            )
        return summaries

    def get_account(self, account_id: str) -> CustomerAccount:
        """The account with its balances (held amounts without expired holds, whether or
        not :meth:`expire_holds` has run).

        Raises:
            NotFound: no such account in this tenant.
        """
        with self._uow() as uow:
            return current_account(uow, account_id, self._clock.now())

    def find_account(self, customer_id: str, currency: str) -> CustomerAccount:
        """The customer's account in ``currency``.

        Raises:
            NotFound: the customer has no account in this currency.
        """
        with self._uow() as uow:
            account = uow.customer_accounts.find(customer_id.strip(), currency)
            if account is None:
                raise NotFound("CustomerAccount", "customer id", customer_id, uow.tenant_id)
            return current_account(uow, account.id, self._clock.now())

    def rebate_grants(self, account_id: str) -> list[RebateGrant]:
        """The account's rebate grants, by id (held amounts without expired holds)."""
        with self._uow() as uow:
            grants = current_ledger(uow, account_id, self._clock.now()).grants
            return sorted(grants.values(), key=lambda g: g.id)

    def holds_of_order(self, account_id: str, order: str) -> list[Hold]:
        """The account's holds for ``order``, by id."""
        with self._uow() as uow:
            return uow.holds.of_order(account_id, order)

    def get_hold(self, hold_id: str) -> Hold:
        """The hold with this id.

        Raises:
            NotFound: no such hold in this tenant.
        """
        with self._uow() as uow:
            return uow.holds.get(hold_id)

    # -- policies -----------------------------------------------------------------------

    def set_default_policy(self, policy: DeductionPolicy) -> None:
        """Make ``policy`` the tenant's default for accounts without their own."""
        retrying(lambda: self._save_policy(DEFAULT_SCOPE, policy))

    def set_account_policy(self, account_id: str, policy: DeductionPolicy) -> None:
        """Give the account its own policy.

        Raises:
            NotFound: no such account in this tenant.
        """
        retrying(lambda: self._save_policy(account_id, policy))

    def policy_for(self, account_id: str) -> DeductionPolicy:
        """The account's policy, else the tenant default, else the service's default."""
        with self._uow() as uow:
            return self._policy(uow, account_id)

    def preview_deduction(
        self, account_id: str, amount: Money, lines: Sequence[OrderLine]
    ) -> DeductionPlan:
        """The plan :meth:`place_holds` would follow now; changes nothing.

        Raises:
            NotFound, AccountCurrencyMismatch, ValidationError, InsufficientFunds: as
                :func:`~crmkit.domain.deduction.plan_deduction`.
        """
        with self._uow() as uow:
            ledger = current_ledger(uow, account_id, self._clock.now())
            account = ledger.account
            return plan_deduction(
                amount,
                lines,
                available_funds(account, ledger.grants.values()),
                self._policy(uow, account_id),
                self._clock.now(),
            )

    # -- fund movements -----------------------------------------------------------------

    def deposit(self, account_id: str, amount: Money, *, key: str) -> Movement:
        """Add ``amount`` to the prepayment fund (预存款).

        Raises:
            NotFound: no such account.
            AccountCurrencyMismatch: ``amount`` is in another currency.
            ValidationError: ``amount`` is not positive and rounded.
            DuplicateRequest: ``key`` was used for another request.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            amt = positive_amount(amount, ledger.account.currency, account_id, "the deposit")
            ledger.move(EntryKind.DEPOSIT, Fund.PREPAYMENT, amt, ZERO)
            return []

        return self._run(
            key, "account.deposit", {"a": account_id, "m": _m(amount)}, account_id, act
        )

    def refund_prepayment(self, account_id: str, amount: Money, *, key: str) -> Movement:
        """Pay ``amount`` of the prepayment back to the customer (退款).

        Raises:
            InsufficientFunds: the prepayment's available amount is smaller.
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit`.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            account = ledger.account
            amt = positive_amount(amount, account.currency, account_id, "the refund")
            require_available(
                account,
                Fund.PREPAYMENT,
                amt,
                account.fund(Fund.PREPAYMENT).available,
                f"a prepayment refund of {amount}",
            )
            ledger.move(EntryKind.PREPAYMENT_REFUND, Fund.PREPAYMENT, -amt, ZERO)
            return []

        payload = {"a": account_id, "m": _m(amount)}
        return self._run(key, "account.refund_prepayment", payload, account_id, act)

    def grant_rebate(
        self,
        account_id: str,
        amount: Money,
        *,
        key: str,
        expires_at: datetime | None = None,
        products: Sequence[str] = (),
        categories: Sequence[str] = (),
    ) -> Movement:
        """Grant a rebate (返利), optionally expiring and restricted to products/categories.

        Raises:
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit`.
        """
        expiry = None if expires_at is None else utc_millis(expires_at)
        only_products = tuple(sorted({p.strip() for p in products}))
        only_categories = tuple(sorted({c.strip() for c in categories}))

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            account = ledger.account
            amt = positive_amount(amount, account.currency, account_id, "the rebate grant")
            grant = RebateGrant(
                id=new_id(),
                tenant_id=account.tenant_id,
                account_id=account.id,
                granted=amt,
                balance=ZERO,
                held=ZERO,
                expires_at=expiry,
                products=only_products,
                categories=only_categories,
                created_at=ledger.now,
            )
            ledger.add_grant(grant)
            ledger.move(EntryKind.REBATE_GRANT, Fund.REBATE, amt, ZERO, grant_id=grant.id)
            return []

        payload = {
            "a": account_id,
            "m": _m(amount),
            "e": expiry,
            "p": only_products,
            "c": only_categories,
        }
        return self._run(key, "account.grant_rebate", payload, account_id, act)

    def reverse_rebate(
        self, account_id: str, grant_id: str, amount: Money, *, key: str
    ) -> Movement:
        """Take back ``amount`` of a rebate grant (rebate reversal).

        Raises:
            NotFound: no such account or grant.
            InsufficientFunds: the grant's available amount is smaller.
            AccountCurrencyMismatch, ValidationError, DuplicateRequest: as :meth:`deposit`.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            account = ledger.account
            amt = positive_amount(amount, account.currency, account_id, "the rebate reversal")
            grant = ledger.grants.get(grant_id)
            if grant is None:
                raise NotFound("RebateGrant", "id", grant_id, account.tenant_id)
            require_available(
                account,
                Fund.REBATE,
                amt,
                grant.available,
                f"a reversal of {amount} from rebate grant {grant_id!r}",
            )
            ledger.move(EntryKind.REBATE_REVERSAL, Fund.REBATE, -amt, ZERO, grant_id=grant_id)
            return []

        payload = {"a": account_id, "g": grant_id, "m": _m(amount)}
        return self._run(key, "account.reverse_rebate", payload, account_id, act)

    def expire_rebates(self, account_id: str, *, key: str) -> Movement:
        """Expire what is available of every grant whose expiry has come.

        Amounts held from an expired grant stay held; if they are voided later, the next
        call expires them.

        Raises:
            NotFound, DuplicateRequest: as :meth:`deposit`.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            for grant in sorted(ledger.grants.values(), key=lambda g: g.id):
                if grant.expired(ledger.now) and grant.available > 0:
                    ledger.move(
                        EntryKind.REBATE_EXPIRY,
                        Fund.REBATE,
                        -grant.available,
                        ZERO,
                        grant_id=grant.id,
                    )
            return []

        return self._run(key, "account.expire_rebates", {"a": account_id}, account_id, act)

    def set_credit_limit(self, account_id: str, limit: Money, *, key: str) -> Movement:
        """Set the credit limit (信用额度); it may not go below credit used plus held.

        Raises:
            CreditLimitBelowUsage: the new limit is below credit used plus held.
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit`.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            account = ledger.account
            if limit.currency != account.currency:
                raise AccountCurrencyMismatch(
                    account_id, account.currency, limit.currency, "the credit limit"
                )
            if limit.amount < 0 or not limit.is_rounded:
                raise ValidationError(
                    f"credit limit {limit} must be zero or more, in whole minor units."
                )
            if limit.amount < account.credit_used + account.credit_held:
                raise CreditLimitBelowUsage(
                    account_id, limit.amount, account.credit_used, account.credit_held
                )
            delta = limit.amount - account.credit_limit
            if delta:
                ledger.move(EntryKind.CREDIT_LIMIT, Fund.CREDIT, delta, ZERO)
            return []

        payload = {"a": account_id, "m": _m(limit)}
        return self._run(key, "account.set_credit_limit", payload, account_id, act)

    def repay_credit(self, account_id: str, amount: Money, *, key: str) -> Movement:
        """Record that the customer paid back ``amount`` of the credit used.

        Raises:
            RepaymentExceedsCreditUsed: the customer owes less.
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit`.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            account = ledger.account
            amt = positive_amount(amount, account.currency, account_id, "the repayment")
            if amt > account.credit_used:
                raise RepaymentExceedsCreditUsed(account_id, amt, account.credit_used)
            ledger.move(EntryKind.CREDIT_REPAYMENT, Fund.CREDIT, amt, ZERO)
            return []

        payload = {"a": account_id, "m": _m(amount)}
        return self._run(key, "account.repay_credit", payload, account_id, act)

    # -- holds --------------------------------------------------------------------------

    def place_holds(
        self,
        account_id: str,
        order: str,
        amount: Money,
        lines: Sequence[OrderLine],
        *,
        key: str,
        expires_at: datetime | None = None,
    ) -> Movement:
        """Plan the order's deduction and hold each fund's part (one hold per fund).

        Raises:
            OrderHasPendingHolds: the order holds funds already.
            InsufficientFunds: the funds cannot pay (per-fund shortfall in details).
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit` and :func:`~crmkit.domain.deduction.plan_deduction`.
        """
        the_order = order_id(order)
        expiry = None if expires_at is None else utc_millis(expires_at)

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            if any(
                h.status is HoldStatus.PENDING for h in uow.holds.of_order(account_id, the_order)
            ):
                raise OrderHasPendingHolds(account_id, the_order)
            void_expired(uow, ledger)
            account = ledger.account
            plan = plan_deduction(
                amount,
                lines,
                available_funds(account, ledger.grants.values()),
                self._policy(uow, account_id),
                ledger.now,
            )
            hold_plan(uow, ledger, the_order, plan, expiry)
            return list(plan.explanation)

        payload = {
            "a": account_id,
            "o": the_order,
            "m": _m(amount),
            "l": [(ln.product_id, ln.category, *_m(ln.amount)) for ln in lines],
            "e": expiry,
        }
        return self._run(key, "account.place_holds", payload, account_id, act)

    def post_hold(
        self,
        hold_id: str,
        amount: Money | None = None,
        *,
        key: str,
        release_rest: bool = False,
    ) -> Movement:
        """Post ``amount`` of a hold (all that is left if ``None``); ``release_rest`` voids
        the remainder in the same movement.

        Raises:
            NotFound: no such hold.
            HoldResolved: the hold is fully posted or voided.
            HoldExpired: the hold's expiry has passed (it can only be voided).
            AmountExceedsHold: ``amount`` is more than the hold has left.
            AccountCurrencyMismatch, ValidationError, DuplicateRequest: as :meth:`deposit`.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            hold = pending(uow.holds.get(hold_id), "post")
            amt = hold.remaining
            if amount is not None:
                amt = positive_amount(amount, ledger.account.currency, hold.account_id, "the post")
                if amt > hold.remaining:
                    raise AmountExceedsHold(hold_id, "post", amt, hold.remaining)
            post(uow, ledger, hold, amt, release_rest=release_rest)
            return []

        payload = {"h": hold_id, "m": None if amount is None else _m(amount), "r": release_rest}
        return self._run(key, "account.post_hold", payload, _account_of(hold_id), act)

    def post_delivery(
        self,
        account_id: str,
        order: str,
        delivered: Money | None,
        *,
        key: str,
        final: bool = False,
    ) -> Movement:
        """Post the share of a delivery worth ``delivered`` over the order's pending holds.

        The share is split by :data:`DELIVERY_ROUNDING`; the last delivery (``final`` or
        ``delivered=None``, or a value equal to what is left) posts the exact remainder.

        Raises:
            InvalidStateTransition: the order has no pending holds.
            HoldExpired: a hold of the order has expired (it can only be voided).
            AmountExceedsHold: ``delivered`` is more than the order still holds.
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit`.
        """
        the_order = order_id(order)

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            holds = pending_of_order(uow, account_id, the_order, "post a delivery for")
            left = sum((h.remaining for h in holds), ZERO)
            value = None
            if not final and delivered is not None:
                value = positive_amount(
                    delivered, ledger.account.currency, account_id, "the delivery"
                )
                if value > left:
                    raise AmountExceedsHold(the_order, "post", value, left)
            post_share(uow, ledger, holds, value)
            return []

        payload = {
            "a": account_id,
            "o": the_order,
            "m": None if delivered is None else _m(delivered),
            "f": final,
        }
        return self._run(key, "account.post_delivery", payload, account_id, act)

    def void_hold(self, hold_id: str, *, key: str) -> Movement:
        """Release what is left of a hold.

        Voiding a hold whose expiry has come is a no-op that says so (the movement's
        explanation starts with :data:`EXPIRED_HOLD`): if no sweep released it yet, it
        is released now, once; if one did, nothing is released again.

        Raises:
            NotFound: no such hold.
            HoldResolved: the hold is fully posted or voided (before any expiry).
            DuplicateRequest: ``key`` was used for another request.
        """

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            hold = uow.holds.get(hold_id)
            expired = [f"{EXPIRED_HOLD} {hold.id} at {hold.expires_at}: its expiry released it."]
            if expired_by_itself(hold, ledger.now):
                return expired
            void(uow, ledger, pending(hold, "void"))
            return expired if is_expired(hold, ledger.now) else []

        return self._run(key, "account.void_hold", {"h": hold_id}, _account_of(hold_id), act)

    def void_order(self, account_id: str, order: str, *, key: str) -> Movement:
        """Cancel the order: release what is left of each of its holds.

        Raises:
            InvalidStateTransition: the order has no pending holds.
            NotFound, DuplicateRequest: as :meth:`deposit`.
        """
        the_order = order_id(order)

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            for hold in pending_of_order(uow, account_id, the_order, "void"):
                void(uow, ledger, hold)
            return []

        payload = {"a": account_id, "o": the_order}
        return self._run(key, "account.void_order", payload, account_id, act)

    def refund_order(self, account_id: str, order: str, amount: Money, *, key: str) -> Movement:
        """Give ``amount`` of what the order posted back to the funds it came from.

        The amount is split over the order's holds in proportion to what each posted and
        has not refunded (:data:`DELIVERY_ROUNDING`). Rebate goes back to its grants (last
        drawn first), prepayment to prepayment; credit is restored, and whatever the
        customer already repaid of that credit goes to prepayment instead.

        Raises:
            AmountExceedsHold: ``amount`` is more than the order posted and kept.
            NotFound, AccountCurrencyMismatch, ValidationError, DuplicateRequest: as
                :meth:`deposit`.
        """
        the_order = order_id(order)

        def act(uow: UnitOfWork, ledger: Ledger) -> list[str]:
            amt = positive_amount(amount, ledger.account.currency, account_id, "the refund")
            holds = [h for h in uow.holds.of_order(account_id, the_order) if h.posted > h.refunded]
            left = sum((h.posted - h.refunded for h in holds), ZERO)
            if amt > left:
                raise AmountExceedsHold(the_order, "refund", amt, left)
            credit_back(uow, ledger, holds, amt)
            return []

        payload = {"a": account_id, "o": the_order, "m": _m(amount)}
        return self._run(key, "account.refund_order", payload, account_id, act)

    def expire_holds(self, *, limit: int = 100) -> list[Movement]:
        """Void up to ``limit`` pending holds whose expiry has come (clock port).

        Each hold is voided in its own unit of work under the key ``hold-expiry:<id>``,
        accounts in id order; a hold resolved meanwhile is skipped.
        """
        with self._uow() as uow:
            due = uow.holds.expiring(self._clock.now(), limit)
        done: list[Movement] = []
        for hold in sorted(due, key=lambda h: (h.account_id, h.id)):
            try:
                done.append(self.void_hold(hold.id, key=f"hold-expiry:{hold.id}"))
            except HoldResolved:
                continue
        return done

    # -- statement ----------------------------------------------------------------------

    def statement(
        self,
        account_id: str,
        *,
        fund: Fund | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Statement:
        """A page of the account's journal for ``fund`` (``None``: all) in ``[since, until)``.

        ``opening``/``closing`` are each fund's balance and held amount at ``since`` and
        ``until`` (now, if open). Pass ``next_cursor`` back for the next page.

        Raises:
            NotFound: no such account.
            ValidationError: the page size is outside 1..500 or the cursor is not valid.
        """
        check_page_size(limit)
        after = 0
        if cursor is not None:
            raw = decode_cursor(cursor, 1)[0]
            if not raw.isdigit():
                raise ValidationError(f"cursor {cursor!r} is not a cursor of this statement.")
            after = int(raw)
        start = None if since is None else utc_millis(since)
        end = None if until is None else utc_millis(until)
        funds = [fund] if fund is not None else list(Fund)
        with self._uow() as uow:
            account = current_account(uow, account_id, self._clock.now())
            rows = uow.journal.page(
                account_id, fund=fund, since=start, until=end, after_seq=after, limit=limit + 1
            )
            opening = {f: balance_at(uow, account_id, f, start) for f in funds}
            closing = {
                f: account.fund(f) if end is None else balance_at(uow, account_id, f, end)
                for f in funds
            }
        items = tuple(rows[:limit])
        more = len(rows) > limit
        return Statement(
            account_id=account_id,
            currency=account.currency,
            fund=fund,
            since=start,
            until=end,
            opening=opening,
            closing=closing,
            entries=items,
            next_cursor=encode_cursor([str(items[-1].seq)]) if more else None,
        )

    # -- machinery ----------------------------------------------------------------------

    def _run(
        self,
        key: str,
        operation: str,
        payload: Mapping[str, object],
        account: str | Callable[[UnitOfWork], str],
        act: Act,
    ) -> Movement:
        the_key = request_key(key)
        digest = fingerprint(operation, payload)

        def attempt() -> Movement:
            with self._uow() as uow:
                done = replay(uow, the_key, operation, digest)
                if done is not None:
                    return _replayed(uow, the_key, done)
                account_id = account if isinstance(account, str) else account(uow)
                ledger = open_ledger(uow, account_id, the_key, self._clock.now())
                stored = ledger.account
                explanation = act(uow, ledger)
                save_ledger(uow, ledger)
                result = {
                    "account": account_id,
                    "first": stored.last_seq + 1,
                    "last": ledger.account.last_seq,
                    "explanation": list(explanation),
                }
                remember(uow, the_key, operation, digest, result=json.dumps(result), now=ledger.now)
                uow.commit()
                return Movement(the_key, account_id, tuple(ledger.entries), tuple(explanation))

        return retrying(attempt, attempts=MOVEMENT_ATTEMPTS, max_delay=MOVEMENT_MAX_DELAY_S)

    def _policy(self, uow: UnitOfWork, account_id: str) -> DeductionPolicy:
        stored = uow.deduction_policies.get(account_id) or uow.deduction_policies.get(DEFAULT_SCOPE)
        return (
            self._default_policy if stored is None else DeductionPolicy.from_json(stored.document)
        )

    def _save_policy(self, scope: str, policy: DeductionPolicy) -> None:
        with self._uow() as uow:
            if scope != DEFAULT_SCOPE:
                uow.customer_accounts.get(scope)
            current = uow.deduction_policies.get(scope)
            now = self._clock.now()
            if current is None:
                uow.deduction_policies.add(
                    StoredPolicy(uow.tenant_id, scope, policy.to_json(), utc_millis(now))
                )
            else:
                uow.deduction_policies.update(
                    attrs.evolve(current, document=policy.to_json(), updated_at=utc_millis(now))
                )
            uow.commit()


def _m(amount: Money) -> tuple[Decimal, str]:
    if not isinstance(amount, Money):
        raise ValidationError(f"expected Money, got {type(amount).__name__}.")
    return (amount.amount, amount.currency)


def _account_of(hold_id: str) -> Callable[[UnitOfWork], str]:
    def find(uow: UnitOfWork) -> str:
        return uow.holds.get(hold_id).account_id

    return find


def _replayed(uow: UnitOfWork, key: str, done: str) -> Movement:
    result = json.loads(done)
    entries = uow.journal.between(result["account"], result["first"], result["last"])
    return Movement(key, result["account"], tuple(entries), tuple(result["explanation"]))
