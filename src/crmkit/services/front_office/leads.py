"""Leads (销售线索): entry with duplicate detection, status moves, and conversion.

Conversion creates (or links) the customer and the contact, and optionally opens an
opportunity, in one unit of work, idempotent under a request key.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain import InvalidStateTransition, ValidationError
from crmkit.domain.currency import check_currency
from crmkit.domain.decimals import to_decimal
from crmkit.domain.front_office.contacts import CONTACTS, Contact
from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.leads import LEAD_MOVES, LEADS, Lead, LeadStatus
from crmkit.domain.front_office.opportunities import OPPORTUNITIES, Opportunity
from crmkit.domain.front_office.people import USERS
from crmkit.domain.record_query import Equals
from crmkit.domain.requests import request_key
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.front_office.customers import add_contact
from crmkit.services.front_office.opportunities import open_opportunity, process_by_code
from crmkit.services.idempotency import fingerprint, remember, replay
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import TenantService

CONVERT = "convert_lead"


@attrs.frozen
class LeadEntry:
    """A stored lead and the existing customer it matched on entry, if any."""

    lead: Lead
    matched_customer: str | None
    """The code of the existing customer with the same phone, email or company name."""
    matched_on: str | None


@attrs.frozen
class OpportunityDraft:
    """What conversion needs to open an opportunity."""

    process_code: str
    name: str
    amount: Decimal
    currency: str
    expected_close: date


@attrs.frozen
class Conversion:
    """The outcome of a conversion: ids, and whether customer and contact were linked."""

    lead_id: str
    customer_id: str
    customer_code: str
    contact_id: str
    opportunity_id: str | None
    linked_customer: bool
    linked_contact: bool
    matched_on: str | None


def match_customer(uow: UnitOfWork, lead: Lead) -> tuple[Customer, str] | None:
    """The existing customer with the lead's phone, email or company name (and which)."""
    repo = uow.records(CUSTOMERS)
    for lead_field, field in (
        ("phone_key", "phone_key"),
        ("email_key", "email_key"),
        ("company_key", "name_key"),
    ):
        value = getattr(lead, lead_field)
        if value is not None:
            found = repo.find(Equals(field, value), order_by="code", limit=1).items
            if found:
                return found[0], lead_field.removesuffix("_key").replace("company", "company name")
    return None


def match_contact(uow: UnitOfWork, customer: Customer, lead: Lead) -> Contact | None:
    """The customer's contact with the lead's phone or email."""
    repo = uow.records(CONTACTS)
    for field in ("phone_key", "email_key"):
        value = getattr(lead, field)
        if value is None:
            continue
        for contact in repo.find(Equals(field, value), limit=50).items:
            if contact.customer_id == customer.id:
                return contact
    return None


def draft_payload(draft: OpportunityDraft) -> dict[str, object]:
    """The draft's content for the request fingerprint, checked by type.

    Raises:
        ValidationError: a value of the wrong type (a float amount, a datetime close).
    """
    close = draft.expected_close
    if not isinstance(close, date) or isinstance(close, datetime):
        raise ValidationError(f"expected close of opportunity {draft.name!r} must be a date.")
    return {
        "process": draft.process_code,
        "name": draft.name,
        "amount": to_decimal(draft.amount, f"amount of opportunity {draft.name!r}"),
        "currency": check_currency(draft.currency if isinstance(draft.currency, str) else "?"),
        "close": close.isoformat(),
    }


@checked_calls
class LeadService(TenantService):
    """Leads of one tenant."""

    def add(self, lead: Lead) -> LeadEntry:
        """Store a new lead (see :meth:`Lead.new`), linked to the existing customer it matches.

        Raises:
            ValidationError: a value breaks its rule.
        """
        with self._uow() as uow:
            match = match_customer(uow, lead)
            if match is not None:
                lead = attrs.evolve(lead, customer_id=match[0].id)
            stored = uow.records(LEADS).add(lead)
            uow.commit()
        if match is None:
            return LeadEntry(stored, None, None)
        return LeadEntry(stored, match[0].code, match[1])

    def move(self, lead_id: str, status: LeadStatus, *, reason: str | None = None) -> Lead:
        """Move a lead to ``following``, ``qualified`` or ``invalid`` (with a reason).

        Raises:
            NotFound: no such lead.
            InvalidStateTransition: the move is not allowed from the lead's status.
            ValidationError: invalid without a reason, or converted (use :meth:`convert`).
        """
        if not isinstance(status, LeadStatus) or status is LeadStatus.CONVERTED:
            raise ValidationError("a lead moves to following, qualified or invalid here.")
        why = None
        if status is LeadStatus.INVALID:
            why = clean_text(reason, "reason the lead is invalid", max_length=200)

        def change(uow: UnitOfWork) -> Lead:
            lead = uow.records(LEADS).get(lead_id)
            if status not in LEAD_MOVES[lead.status]:
                raise InvalidStateTransition(
                    "Lead", lead.company or lead.person, lead.status.value, status.value
                )
            return attrs.evolve(lead, status=status, invalid_reason=why)

        return self._update_record(LEADS, change)

    def convert(
        self,
        lead_id: str,
        *,
        customer_code: str,
        user_id: str,
        key: str,
        opportunity: OpportunityDraft | None = None,
    ) -> Conversion:
        """Convert a lead into a customer and a contact (and an opportunity), all or nothing.

        An existing customer with the lead's phone, email or company name is linked instead
        of creating a twin (``linked_customer``, ``matched_on``); so is its contact with the
        lead's phone or email. Repeating the call with the same ``key`` returns the first
        result.

        Raises:
            NotFound: no such lead, user or sales process.
            InvalidStateTransition: the lead is converted or invalid.
            DuplicateRecord: a new customer's code is taken.
            DuplicateRequest: ``key`` was used for other content.
        """
        the_key = request_key(key)
        code = clean_text(customer_code, "customer code", max_length=32)
        if opportunity is not None and not isinstance(opportunity, OpportunityDraft):
            raise ValidationError("opportunity must be an OpportunityDraft.")
        payload: dict[str, object] = {"lead": lead_id, "code": code, "user": user_id}
        if opportunity is not None:
            payload["opportunity"] = draft_payload(opportunity)
        digest = fingerprint(CONVERT, payload)

        def run() -> Conversion:
            now = utc_millis(self._clock.now())
            with self._uow() as uow:
                done = replay(uow, the_key, CONVERT, digest)
                if done is not None:
                    return Conversion(**json.loads(done))
                uow.records(USERS).get(user_id)
                lead = uow.records(LEADS).get(lead_id)
                if lead.status in (LeadStatus.CONVERTED, LeadStatus.INVALID):
                    # under read committed the conversion may have committed since the
                    # first read: its request is then visible now
                    done = replay(uow, the_key, CONVERT, digest)
                    if done is not None:
                        return Conversion(**json.loads(done))
                    raise InvalidStateTransition(
                        "Lead", lead.company or lead.person, lead.status.value, "convert"
                    )
                result = self._convert(uow, lead, code, user_id, opportunity, now)
                text = json.dumps(attrs.asdict(result))
                remember(uow, the_key, CONVERT, digest, result=text, now=now)
                uow.commit()
                return result

        return retrying(run)

    def _convert(  # noqa: PLR0917
        self,
        uow: UnitOfWork,
        lead: Lead,
        code: str,
        user_id: str,
        draft: OpportunityDraft | None,
        now: datetime,
    ) -> Conversion:
        """Convert in ``uow``; the lead is written first, so a racing conversion of the
        same lead conflicts on it (and is retried) before it touches the customer's code."""
        match = match_customer(uow, lead)
        customer = (
            match[0]
            if match is not None
            else Customer.new(
                uow.tenant_id,
                code=code,
                name=lead.company or lead.person or code,
                region=lead.region,
                industry=lead.industry,
                phone=lead.phone,
                email=lead.email,
                owner_id=lead.owner_id or user_id,
                now=now,
            )
        )
        contact = match_contact(uow, customer, lead) if match is not None else None
        new_contact = None
        if contact is None:
            primaries = uow.records(CONTACTS).find(
                Equals("customer_id", customer.id), Equals("is_primary", True), limit=1
            )
            new_contact = Contact.new(
                uow.tenant_id,
                customer_id=customer.id,
                name=lead.person or lead.company or code,
                phone=lead.phone,
                email=lead.email,
                primary=not primaries.items,
                now=now,
            )
            contact = new_contact
        opened = None if draft is None else self._open(uow, customer, draft, user_id, now)
        uow.records(LEADS).update(
            attrs.evolve(
                lead,
                status=LeadStatus.CONVERTED,
                customer_id=customer.id,
                contact_id=contact.id,
                opportunity_id=None if opened is None else opened.id,
            )
        )
        if match is None:
            customer = uow.records(CUSTOMERS).add(customer)
        if new_contact is not None:
            add_contact(uow, customer, new_contact)
        if opened is not None:
            uow.records(OPPORTUNITIES).add(opened)
        return Conversion(
            lead.id,
            customer.id,
            customer.code,
            contact.id,
            None if opened is None else opened.id,
            match is not None,
            new_contact is None,
            None if match is None else match[1],
        )

    @staticmethod
    def _open(
        uow: UnitOfWork,
        customer: Customer,
        draft: OpportunityDraft,
        user_id: str,
        now: datetime,
    ) -> Opportunity:
        process = process_by_code(uow, draft.process_code)
        opened = open_opportunity(
            uow,
            customer=customer,
            process=process,
            name=draft.name,
            amount=draft.amount,
            currency=draft.currency,
            expected_close=draft.expected_close,
            owner_id=user_id,
            now=now,
        )
        return opened
