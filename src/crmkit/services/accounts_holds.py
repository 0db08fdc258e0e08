"""The hold lifecycle of the customer account service: place, post (deliver), void, refund,
expire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crmkit.domain import Money, utc_millis
from crmkit.domain.account_errors import (
    AmountExceedsHold,
    HoldResolved,
    OrderHasPendingHolds,
)
from crmkit.domain.accounts import (
    ZERO,
    HoldStatus,
    Ledger,
    order_id,
    positive_amount,
)
from crmkit.domain.deduction import (
    OrderLine,
    plan_deduction,
)
from crmkit.services.account_steps import (
    available_funds,
    credit_back,
    expired_by_itself,
    hold_plan,
    is_expired,
    pending,
    pending_of_order,
    post,
    post_share,
    void,
    void_expired,
)
from crmkit.services.accounts_base import EXPIRED_HOLD, AccountsBase, Movement, _account_of, _m
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork


@checked_calls
class HoldLifecycle(AccountsBase):
    """Holds for orders, from placing to posting or voiding."""

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
                    exceeded = AmountExceedsHold(the_order, "post", value, left)
                    exceeded.details["field"] = "delivered"
                    raise exceeded
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
