"""Customers (客户) and contacts (联系人); the link from pricing to the stored customer."""

from __future__ import annotations

import attrs

from crmkit.domain import ValidationError
from crmkit.domain.front_office.contacts import CONTACTS, Contact
from crmkit.domain.front_office.customers import CUSTOMERS, Customer, CustomerStatus
from crmkit.domain.front_office.errors import DuplicateCustomer, InactiveCustomer
from crmkit.domain.pricing import PricingCustomer
from crmkit.domain.record_query import Equals
from crmkit.domain.text import clean_text
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import TenantService


def customer_by_code(uow: UnitOfWork, code: object) -> Customer:
    """The customer with this code.

    Raises:
        ValidationError: not a valid code.
        NotFound: no such customer in the tenant.
    """
    wanted = clean_text(code, "customer code", max_length=32)
    return uow.records(CUSTOMERS).get_by("code", wanted)


def pricing_customer(uow: UnitOfWork, code: object) -> PricingCustomer:
    """The stored customer as pricing sees it: its code and its stored customer groups.

    Quotes, orders and customer accounts refer to the stored customer through this.

    Raises:
        NotFound: no customer with this code.
        InactiveCustomer: the customer is inactive.
    """
    customer = customer_by_code(uow, code)
    if customer.status is not CustomerStatus.ACTIVE:
        raise InactiveCustomer(customer.code)
    return PricingCustomer(customer.code, customer.groups)


def find_twin(uow: UnitOfWork, customer: Customer) -> tuple[Customer, str] | None:
    """An existing customer with the same phone, email or company name (and what matched)."""
    repo = uow.records(CUSTOMERS)
    for field in ("phone_key", "email_key", "name_key"):
        value = getattr(customer, field)
        if value is None:
            continue
        for found in repo.find(Equals(field, value), limit=2).items:
            if found.id != customer.id:
                return found, field.removesuffix("_key")
    return None


@checked_calls
class CustomerService(TenantService):
    """Customers and their contacts, for one tenant."""

    def create(self, customer: Customer) -> Customer:
        """Store a new customer (see :meth:`Customer.new`).

        Raises:
            DuplicateRecord: the code is taken.
            DuplicateCustomer: a customer with the same phone, email or company name exists.
            ValidationError: a value or custom value breaks its rule.
        """

        def make(uow: UnitOfWork) -> Customer:
            twin = find_twin(uow, customer)
            if twin is not None:
                raise DuplicateCustomer(customer.code, twin[0].code, twin[1])
            return customer

        return self._add_record(CUSTOMERS, make)

    def get(self, code: str) -> Customer:
        """The customer with this code.

        Raises:
            NotFound: no such customer.
        """
        with self._uow() as uow:
            return customer_by_code(uow, code)

    def set_status(self, code: str, status: CustomerStatus) -> Customer:
        """Activate or deactivate a customer (an inactive one gets no quotes or orders).

        Raises:
            NotFound: no such customer.
            ValidationError: not a CustomerStatus.
        """
        if not isinstance(status, CustomerStatus):
            raise ValidationError(f"status of customer {code!r} must be a CustomerStatus.")

        return self._update_record(
            CUSTOMERS, lambda uow: attrs.evolve(customer_by_code(uow, code), status=status)
        )

    def add_contact(self, customer_code: str, contact: Contact) -> Contact:
        """Store a contact of the customer; a new primary contact demotes the previous one.

        The customer's version is bumped in the same unit of work, so two concurrent
        primaries cannot both stay primary.

        Raises:
            NotFound: no such customer.
            ValidationError: the contact names another customer.
        """

        def add(uow: UnitOfWork) -> Contact:
            customer = customer_by_code(uow, customer_code)
            if contact.customer_id != customer.id:
                raise ValidationError(
                    f"contact {contact.name!r} belongs to another customer than "
                    f"{customer.code!r}; create it with customer_id={customer.id!r}."
                )
            return add_contact(uow, customer, contact)

        return self._retried(add)

    def contacts(self, customer_code: str) -> list[Contact]:
        """The customer's contacts, by name (at most 500)."""
        with self._uow() as uow:
            customer = customer_by_code(uow, customer_code)
            return list(
                uow.records(CONTACTS)
                .find(Equals("customer_id", customer.id), order_by="name", limit=500)
                .items
            )


def add_contact(uow: UnitOfWork, customer: Customer, contact: Contact) -> Contact:
    """Store ``contact`` of ``customer`` in ``uow``, keeping at most one primary contact."""
    contacts = uow.records(CONTACTS)
    if contact.is_primary:
        for other in contacts.find(
            Equals("customer_id", customer.id), Equals("is_primary", True), limit=50
        ).items:
            contacts.update(attrs.evolve(other, is_primary=False))
    uow.records(CUSTOMERS).update(customer)  # serialises contact changes of one customer
    return contacts.add(contact)
