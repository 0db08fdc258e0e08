"""Fund movements of the customer account service: deposits, prepayment refunds, rebates
and credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crmkit.domain import Money, NotFound, ValidationError, utc_millis
from crmkit.domain.account_errors import (
    AccountCurrencyMismatch,
    CreditLimitBelowUsage,
    RepaymentExceedsCreditUsed,
)
from crmkit.domain.accounts import (
    ZERO,
    EntryKind,
    Fund,
    Ledger,
    RebateGrant,
    positive_amount,
)
from crmkit.domain.ids import new_id
from crmkit.services.account_steps import (
    require_available,
)
from crmkit.services.accounts_base import AccountsBase, Movement, _m
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork


@checked_calls
class FundMovements(AccountsBase):
    """Money into and out of an account's funds."""

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
