"""Follow-ups and tasks, and the links to quotes and funds, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crmkit.domain import ValidationError
from crmkit.domain.front_office.customers import Customer, CustomerStatus
from crmkit.domain.front_office.errors import InactiveCustomer
from crmkit.domain.front_office.follow_ups import FollowUpKind, FollowUpSubject
from crmkit.domain.front_office.leads import Lead, LeadSource
from crmkit.domain.front_office.people import TASKS, TaskStatus
from crmkit.domain.record_query import Equals
from crmkit.services import Storage
from crmkit.services.front_office.quoting import CustomerFunds, CustomerQuotes
from crmkit.testing.front_office import SALES_STAGES, T0, Office, add_reps, office, snapshot


def quotes_of(place: Office) -> CustomerQuotes:
    return CustomerQuotes(place.uow, place.clock)


class TestFollowUps:
    """One activity log; a next step becomes a task."""

    def test_a_follow_up_with_a_next_step_creates_a_task(self, storage: Storage) -> None:
        """The follow-up and its task are stored together; the task can be finished once."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        lead = place.leads.add(
            Lead.new(place.tenant, source=LeadSource.WEBSITE, person="Chen", email="c@x.cn", now=T0)
        ).lead
        place.clock.advance(timedelta(hours=1))
        place.activity.log_follow_up(
            FollowUpSubject.LEAD,
            lead.id,
            kind=FollowUpKind.CALL,
            user_id=rep.id,
            outcome="call back on Monday",
            next_step=("Call Chen", T0 + timedelta(days=3)),
        )
        (entry,) = place.activity.follow_ups(FollowUpSubject.LEAD, lead.id)
        assert (entry.user_id, entry.at) == (rep.id, T0 + timedelta(hours=1))
        with place.uow() as uow:
            (task,) = uow.records(TASKS).find(Equals("subject_id", lead.id)).items
        assert (task.title, task.assignee_id, task.status) == ("Call Chen", rep.id, TaskStatus.OPEN)
        place.activity.finish_task(task.id)
        before = snapshot(place)
        with pytest.raises(ValidationError):
            place.activity.finish_task(task.id)
        with pytest.raises(ValidationError):  # a follow-up cannot be logged in the future
            place.activity.log_follow_up(
                FollowUpSubject.LEAD,
                lead.id,
                kind=FollowUpKind.NOTE,
                user_id=rep.id,
                outcome="later",
                at=place.clock.now() + timedelta(minutes=1),
            )
        assert snapshot(place) == before


class TestLinks:
    """Quotes and customer accounts go through the stored customer."""

    def test_quotes_and_accounts_refuse_inactive_customers(self, storage: Storage) -> None:
        """Active: a quote for its code and groups, an account with its code; inactive: refused."""
        place = office(storage)
        place.customers.create(
            Customer.new(place.tenant, code="D-17", name="D", groups=frozenset({"dealer"}), now=T0)
        )
        quotes = quotes_of(place)
        quote = quotes.create_quote("D-17", currency="CNY", valid_until=T0 + timedelta(days=7))
        assert (quote.account_id, quote.account_groups) == ("D-17", frozenset({"dealer"}))
        funds = CustomerFunds(place.uow, place.clock)
        assert funds.open_account("D-17", "CNY").customer_id == "D-17"
        place.customers.set_status("D-17", CustomerStatus.INACTIVE)
        with pytest.raises(InactiveCustomer):
            quotes.create_quote("D-17", currency="CNY", valid_until=T0 + timedelta(days=7))
        with pytest.raises(InactiveCustomer):
            funds.open_account("D-17", "USD")

    def test_an_opportunity_is_won_only_by_its_customers_quote(self, storage: Storage) -> None:
        """Another customer's quote is refused and changes nothing."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        for code in ("A", "B"):
            place.customers.create(Customer.new(place.tenant, code=code, name=code, now=T0))
        place.opportunities.define_process(code="STD", name="Standard", stages=SALES_STAGES)
        deal = place.opportunities.open(
            "A",
            process_code="STD",
            name="Deal",
            amount=1,
            currency="CNY",
            expected_close=T0.date(),
            owner_id=rep.id,
        )
        quotes = quotes_of(place)
        foreign = quotes.create_quote("B", currency="CNY", valid_until=T0 + timedelta(days=7))
        before = snapshot(place)
        with pytest.raises(ValidationError):
            quotes.win_by_quote(deal.id, foreign.id)
        assert snapshot(place) == before
        own = quotes.create_quote("A", currency="CNY", valid_until=T0 + timedelta(days=7))
        assert quotes.win_by_quote(deal.id, own.id).won_by_id == own.id
