"""Leads: entry and conversion with duplicates, idempotency, all or nothing, on every backend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import DuplicateRecord, DuplicateRequest, InvalidStateTransition, NotFound
from crmkit.domain.front_office.contacts import CONTACTS
from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.leads import Lead, LeadSource, LeadStatus
from crmkit.domain.record_query import Equals
from crmkit.domain.records import RecordType
from crmkit.services import Storage
from crmkit.services.front_office.leads import OpportunityDraft
from crmkit.testing.front_office import SALES_STAGES, T0, Office, add_reps, office, snapshot

EXISTING = {
    "company": "ACME Trading Co., Ltd.",
    "phone": "+86 138-0013-8000",
    "email": "Buy@Acme.cn",
}
VARIANTS = {
    "company": ["acme trading", "ACME TRADING LTD", "Other Works"],
    "phone": ["0086 13800138000", "13800138000", "139 0000 0000"],
    "email": [" buy@acme.CN", "sales@other.cn"],
}


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def with_existing_customer(place: Office) -> Customer:
    customer = Customer.new(
        place.tenant,
        code="ACME",
        name=EXISTING["company"],
        phone=EXISTING["phone"],
        email=EXISTING["email"],
        now=T0,
    )
    return place.customers.create(customer)


def count(place: Office, record_type: RecordType[Any], *filters: object) -> int:
    with place.uow() as uow:
        return len(uow.records(record_type).find(*filters, limit=500).items)


class TestConversion:
    """Conversion links to the existing customer when phone, email or name match."""

    def test_duplicates_are_linked_not_twinned(self, storage: Storage, examples: int) -> None:
        """A lead matching on any normalised key links; one with no match creates a customer."""

        @budget(examples)
        @given(
            company=st.sampled_from(VARIANTS["company"]),
            phone=st.none() | st.sampled_from(VARIANTS["phone"]),
            email=st.none() | st.sampled_from(VARIANTS["email"]),
        )
        def check(company: str, phone: str | None, email: str | None) -> None:
            place = office(storage)
            (rep,) = add_reps(place, 1)
            existing = with_existing_customer(place)
            lead = Lead.new(
                place.tenant,
                source=LeadSource.TRADE_SHOW,
                company=company,
                person="Li Wei",
                phone=phone,
                email=email or "li@example.org",
                owner_id=rep.id,
                now=T0,
            )
            entry = place.leads.add(lead)
            matches = (
                company != "Other Works"
                or phone in VARIANTS["phone"][:2]
                or email == VARIANTS["email"][0]
            )
            assert (entry.matched_customer == "ACME") is matches
            done = place.leads.convert(lead.id, customer_code="NEW-1", user_id=rep.id, key="k1")
            assert done.linked_customer is matches
            assert done.customer_id == (existing.id if matches else done.customer_id)
            assert count(place, CUSTOMERS) == (1 if matches else 2)
            assert count(place, CONTACTS, Equals("customer_id", done.customer_id)) == 1
            again = place.leads.convert(lead.id, customer_code="NEW-1", user_id=rep.id, key="k1")
            assert again == done
            assert count(place, CUSTOMERS) == (1 if matches else 2)

        check()

    def test_conversion_opens_an_opportunity_all_or_nothing(self, storage: Storage) -> None:
        """With an opportunity, all three are stored; a failing step leaves nothing behind."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        place.opportunities.define_process(code="STD", name="Standard", stages=SALES_STAGES)
        taken = place.customers.create(Customer.new(place.tenant, code="TAKEN", name="X", now=T0))
        assert taken.code == "TAKEN"
        lead = place.leads.add(
            Lead.new(
                place.tenant,
                source=LeadSource.CAMPAIGN,
                company="Zeta",
                phone="021 5555 0101",
                now=T0,
            )
        ).lead
        draft = OpportunityDraft("STD", "Zeta tea", Decimal("1200.00"), "CNY", date(2026, 4, 30))
        before = snapshot(place)
        with pytest.raises(DuplicateRecord):
            place.leads.convert(
                lead.id, customer_code="TAKEN", user_id=rep.id, key="a", opportunity=draft
            )
        bad = OpportunityDraft("NOPE", "Zeta tea", Decimal("1200.00"), "CNY", date(2026, 4, 30))
        with pytest.raises(NotFound):
            place.leads.convert(
                lead.id, customer_code="ZETA", user_id=rep.id, key="b", opportunity=bad
            )
        assert snapshot(place) == before
        done = place.leads.convert(
            lead.id, customer_code="ZETA", user_id=rep.id, key="c", opportunity=draft
        )
        assert done.opportunity_id is not None
        assert not done.linked_customer
        with pytest.raises(DuplicateRequest):
            place.leads.convert(lead.id, customer_code="OTHER", user_id=rep.id, key="c")
        with pytest.raises(InvalidStateTransition):
            place.leads.convert(lead.id, customer_code="ZETA", user_id=rep.id, key="d")

    def test_lead_status_moves(self, storage: Storage) -> None:
        """new -> following -> invalid needs a reason; an invalid lead moves no more."""
        place = office(storage)
        lead = place.leads.add(
            Lead.new(
                place.tenant, source=LeadSource.PURCHASE, person="Wang", email="w@x.cn", now=T0
            )
        ).lead
        place.leads.move(lead.id, LeadStatus.FOLLOWING)
        place.leads.move(lead.id, LeadStatus.INVALID, reason="wrong number")
        before = snapshot(place)
        with pytest.raises(InvalidStateTransition):
            place.leads.move(lead.id, LeadStatus.QUALIFIED)
        assert snapshot(place) == before
