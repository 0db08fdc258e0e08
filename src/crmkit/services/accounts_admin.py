"""Opening and finding customer accounts, fund summaries, holds read back, and deduction
policies.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from crmkit.domain import Money, NotFound
from crmkit.domain.accounts import (
    ZERO,
    CustomerAccount,
    Fund,
    Hold,
    RebateGrant,
)
from crmkit.domain.deduction import (
    DeductionPlan,
    DeductionPolicy,
    OrderLine,
    plan_deduction,
)
from crmkit.services.account_ports import DEFAULT_SCOPE
from crmkit.services.account_steps import (
    available_funds,
    current_account,
    current_ledger,
)
from crmkit.services.accounts_base import AccountsBase
from crmkit.services.boundary import checked_calls
from crmkit.services.retry import retrying


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


@checked_calls
class AccountAdmin(AccountsBase):
    """Open and read accounts; set deduction policies."""

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
        summaries: dict[Fund, FundSummary] = {}
        for fund in Fund:
            numbers = account.fund(fund)
            posted = account.posted(fund) + ZERO
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
            return current_account(uow, account.id, self._clock.now(), stored=account)

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
