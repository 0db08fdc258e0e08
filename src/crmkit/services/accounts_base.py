"""What every part of the customer account service shares: the keyed movement, its
retries, the deduction policy lookup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import Money, ValidationError, utc_millis
from crmkit.domain.accounts import (
    JournalEntry,
    Ledger,
)
from crmkit.domain.deduction import (
    DeductionPolicy,
)
from crmkit.domain.requests import request_key
from crmkit.services.account_ports import DEFAULT_SCOPE, StoredPolicy
from crmkit.services.account_steps import (
    open_ledger,
    save_ledger,
)
from crmkit.services.idempotency import run_once
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.tenant_service import TenantService

MOVEMENT_ATTEMPTS = 30
MOVEMENT_MAX_DELAY_S = 0.5
"""Movements on one account are retried at least 30 times after a conflict (and for up to
``retry.DEFAULT_BUDGET_S``), sleeping up to 0.5 s (jittered, exponential)."""

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


Act = Callable[[UnitOfWork, Ledger], Sequence[str]]


class AccountsBase(TenantService):
    """The state and plumbing of :class:`~crmkit.services.accounts.CustomerAccountService`."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        default_policy: DeductionPolicy | None = None,
    ) -> None:
        super().__init__(unit_of_work, clock)
        self._default_policy = default_policy or DeductionPolicy()

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

        def work(uow: UnitOfWork) -> tuple[Movement, str, datetime]:
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
            movement = Movement(the_key, account_id, tuple(ledger.entries), tuple(explanation))
            return movement, json.dumps(result), ledger.now

        return run_once(
            self._uow,
            the_key,
            operation,
            payload,
            work,
            replayed=lambda uow, done: _replayed(uow, the_key, done),
            attempts=MOVEMENT_ATTEMPTS,
            max_delay=MOVEMENT_MAX_DELAY_S,
        )

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
