"""The links from the front office to pricing and funds: quotes and customer accounts
(客户账户) for stored customers, and deals won by a quote.

Additive: :class:`~crmkit.services.quotes.QuoteService` keeps taking a pricing
``Customer`` and :class:`~crmkit.services.accounts.CustomerAccountService` a customer id; these
resolve them from the stored customer (refusing unknown and inactive ones, scoping price
lists by the stored groups; the account's customer id is the stored customer's code).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from crmkit.domain import ValidationError
from crmkit.domain.accounts import CustomerAccount
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.opportunities import OPPORTUNITIES, Opportunity
from crmkit.domain.ids import record_id
from crmkit.domain.quote import Quote, QuoteId
from crmkit.services.accounts import CustomerAccountService
from crmkit.services.boundary import checked_calls
from crmkit.services.front_office.customers import pricing_customer
from crmkit.services.front_office.opportunities import OpportunityService
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.quotes import QuoteService


@checked_calls
class CustomerQuotes:
    """Quotes made for the tenant's stored customers."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        quotes: QuoteService | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._quotes = quotes or QuoteService(unit_of_work, clock)
        self._opportunities = OpportunityService(unit_of_work, clock)

    def create_quote(self, customer_code: str, *, currency: str, valid_until: datetime) -> Quote:
        """A draft quote for the stored customer, priced for its stored customer groups.

        Raises:
            NotFound: no customer with this code.
            InactiveCustomer: the customer is inactive.
            ValidationError: as :meth:`QuoteService.create_quote`.
        """
        with self._uow() as uow:
            customer = pricing_customer(uow, customer_code)
        return self._quotes.create_quote(customer, currency=currency, valid_until=valid_until)

    def win_by_quote(self, opportunity_id: str, quote_id: str) -> Opportunity:
        """Close an opportunity as won by a quote of the same customer.

        Raises:
            NotFound: no such opportunity or quote.
            ValidationError: the quote is for another customer.
            InvalidStateTransition: the opportunity is already closed.
        """
        with self._uow() as uow:
            opportunity = uow.records(OPPORTUNITIES).get(opportunity_id)
            customer = uow.records(CUSTOMERS).get(opportunity.customer_id)
            quote = uow.quotes.get(QuoteId(record_id(quote_id, "quote id")))
        if quote.account_id != customer.code:
            raise ValidationError(
                f"quote {quote_id!r} is for customer {quote.account_id!r}, not "
                f"{customer.code!r}; win opportunity {opportunity.name!r} by its own quote."
            )
        return self._opportunities.win(opportunity_id, won_by_type="quote", won_by_id=quote.id)


@checked_calls
class CustomerFunds:
    """Customer accounts (funds) opened for the tenant's stored customers."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        accounts: CustomerAccountService | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._accounts = accounts or CustomerAccountService(unit_of_work, clock)

    def open_account(self, customer_code: str, currency: str) -> CustomerAccount:
        """Open the stored customer's account in ``currency`` (its customer id is the code).

        Raises:
            NotFound: no customer with this code.
            InactiveCustomer: the customer is inactive.
            DuplicateRecord: the customer has an account in this currency already.
        """
        with self._uow() as uow:
            customer = pricing_customer(uow, customer_code)
        return self._accounts.open_account(customer.account_id, currency)
