"""Pool rules on every backend: claim limit, cool-down, auto-return at its boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.errors import (
    ClaimLimitReached,
    CoolingDown,
    NotInPool,
    NotOwner,
    NotPoolMember,
)
from crmkit.domain.front_office.follow_ups import FollowUpKind, FollowUpSubject
from crmkit.domain.front_office.leads import Lead, LeadSource
from crmkit.domain.front_office.people import USERS, Role, User
from crmkit.domain.front_office.pools import Assignment, Pool, PoolAction, PoolKind
from crmkit.services import Storage
from crmkit.testing.front_office import SALES_STAGES, T0, add_reps, customer_pool, office, snapshot

MS = timedelta(milliseconds=1)


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


class TestClaimLimit:
    """A rep owns at most the pool's limit; the claim past it changes nothing."""

    def test_the_claim_past_the_limit_is_refused(self, storage: Storage, examples: int) -> None:
        """Of k claims by one rep, min(k, limit) succeed; the rest raise and change nothing."""

        @budget(examples)
        @given(limit=st.integers(1, 4), claims=st.integers(1, 6))
        def check(limit: int, claims: int) -> None:
            place = office(storage)
            (rep,) = add_reps(place, 1)
            _, customers = customer_pool(place, [rep], customers=claims, claim_limit=limit)
            for n, customer in enumerate(customers):
                if n < limit:
                    place.pools.claim("SH", customer.id, user_id=rep.id)
                    continue
                before = snapshot(place)
                with pytest.raises(ClaimLimitReached) as raised:
                    place.pools.claim("SH", customer.id, user_id=rep.id)
                assert raised.value.details["limit"] == limit
                assert snapshot(place) == before
            assert place.pools.owned_count("SH", rep.id) == min(limit, claims)

        check()

    def test_a_returned_record_frees_a_place(self, storage: Storage) -> None:
        """After returning one record the rep may claim another."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        _, (first, second) = customer_pool(place, [rep], customers=2, claim_limit=1)
        place.pools.claim("SH", first.id, user_id=rep.id)
        with pytest.raises(ClaimLimitReached):
            place.pools.claim("SH", second.id, user_id=rep.id)
        place.pools.give_back("SH", first.id, user_id=rep.id, reason="no budget this year")
        place.pools.claim("SH", second.id, user_id=rep.id)
        assert place.pools.owner_of("SH", second.id) == rep.id
        assert place.pools.owner_of("SH", first.id) is None


class TestCoolDown:
    """A rep claims back what it returned only once the cool-down has passed."""

    def test_the_last_moment_of_the_cool_down_refuses(
        self, storage: Storage, examples: int
    ) -> None:
        """At end - d (d > 0) the claim back is refused; at end + d (d >= 0) it succeeds."""

        @budget(examples)
        @given(
            minutes=st.integers(1, 7 * 24 * 60),
            offset_ms=st.integers(-60_000, 60_000) | st.sampled_from([-60_000, -1, 0, 1]),
        )
        def check(minutes: int, offset_ms: int) -> None:
            place = office(storage)
            rep, other = add_reps(place, 2)
            _, (customer,) = customer_pool(
                place, [rep, other], customers=1, claim_limit=3, cool_down_minutes=minutes
            )
            place.pools.claim("SH", customer.id, user_id=rep.id)
            place.clock.advance(timedelta(minutes=5))
            returned = place.clock.now()
            place.pools.give_back("SH", customer.id, user_id=rep.id, reason="wrong region")
            place.clock.set(returned + timedelta(minutes=minutes) + offset_ms * MS)
            if offset_ms < 0:
                before = snapshot(place)
                with pytest.raises(CoolingDown) as raised:
                    place.pools.claim("SH", customer.id, user_id=rep.id)
                assert (
                    raised.value.details["until"]
                    == (returned + timedelta(minutes=minutes)).isoformat()
                )
                assert snapshot(place) == before
            else:
                place.pools.claim("SH", customer.id, user_id=rep.id)
                assert place.pools.owner_of("SH", customer.id) == rep.id

        check()

    def test_another_rep_claims_at_once(self, storage: Storage) -> None:
        """The cool-down binds only the rep that returned the record."""
        place = office(storage)
        rep, other = add_reps(place, 2)
        _, (customer,) = customer_pool(
            place, [rep, other], customers=1, claim_limit=1, cool_down_minutes=60
        )
        place.pools.claim("SH", customer.id, user_id=rep.id)
        place.pools.give_back("SH", customer.id, user_id=rep.id, reason="too far")
        place.pools.claim("SH", customer.id, user_id=other.id)
        assert place.pools.owner_of("SH", customer.id) == other.id


class TestAutoReturn:
    """An owned record goes back on its Nth day without follow-up, in every read."""

    def test_the_nth_day_returns_the_record_in_every_read(
        self, storage: Storage, examples: int
    ) -> None:
        """Before the deadline the rep owns it; from the deadline on it is free, sweep or not."""

        @budget(examples)
        @given(
            days=st.integers(1, 90),
            offset_ms=st.integers(-86_400_000, 86_400_000) | st.sampled_from([-1, 0, 1]),
        )
        def check(days: int, offset_ms: int) -> None:
            place = office(storage)
            rep, other = add_reps(place, 2)
            _, (customer,) = customer_pool(
                place, [rep, other], customers=1, claim_limit=1, return_after_days=days
            )
            place.pools.claim("SH", customer.id, user_id=rep.id)
            claimed = place.clock.now()
            place.clock.set(claimed + timedelta(days=days) + offset_ms * MS)
            returned = offset_ms >= 0
            assert place.pools.owner_of("SH", customer.id) == (None if returned else rep.id)
            assert place.pools.owned_count("SH", rep.id) == (0 if returned else 1)
            if returned:  # the place is free and another rep may claim without any sweep
                place.pools.claim("SH", customer.id, user_id=other.id)
                actions = [e.action for e in place.pools.history("SH", customer.id)]
                assert actions == [PoolAction.CLAIM, PoolAction.AUTO_RETURN, PoolAction.CLAIM]
            else:
                with pytest.raises(NotInPool):
                    place.pools.claim("SH", customer.id, user_id=other.id)

        check()

    def test_a_follow_up_moves_the_deadline(self, storage: Storage) -> None:
        """The deadline counts from the last follow-up."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        _, (customer,) = customer_pool(
            place, [rep], customers=1, claim_limit=1, return_after_days=7
        )
        place.pools.claim("SH", customer.id, user_id=rep.id)
        place.clock.advance(timedelta(days=6))
        place.activity.log_follow_up(
            FollowUpSubject.CUSTOMER,
            customer.id,
            kind=FollowUpKind.CALL,
            user_id=rep.id,
            outcome="asked for a quote",
        )
        place.clock.advance(timedelta(days=6))
        assert place.pools.owner_of("SH", customer.id) == rep.id
        place.clock.advance(timedelta(days=1))
        assert place.pools.owner_of("SH", customer.id) is None

    def test_a_won_deal_moves_the_no_win_deadline(self, storage: Storage) -> None:
        """With a no-win rule of 10 days, a deal won on day 9 keeps the customer to day 19."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        pool = place.pools.create_pool(
            Pool.new(
                place.tenant,
                code="WIN",
                name="Win or return",
                kind=PoolKind.CUSTOMER,
                claim_limit=1,
                return_without_win_days=10,
                members=(rep.id,),
                now=T0,
            )
        )
        customer = place.customers.create(
            Customer.new(place.tenant, code="W1", name="Winner", pool_id=pool.id, now=T0)
        )
        place.pools.claim("WIN", customer.id, user_id=rep.id)
        place.opportunities.define_process(code="STD", name="Standard", stages=SALES_STAGES)
        deal = place.opportunities.open(
            "W1",
            process_code="STD",
            name="Deal",
            amount=100,
            currency="CNY",
            expected_close=T0.date(),
            owner_id=rep.id,
        )
        place.clock.advance(timedelta(days=9))
        place.opportunities.win(deal.id, won_by_type="order", won_by_id="SO-1")
        place.clock.advance(timedelta(days=10) - MS)
        assert place.pools.owner_of("WIN", customer.id) == rep.id
        place.clock.advance(MS)
        assert place.pools.owner_of("WIN", customer.id) is None
        (_, returned) = place.pools.history("WIN", customer.id)
        assert (returned.action, returned.reason) == (
            PoolAction.AUTO_RETURN,
            "no won deal for 10 days",
        )

    def test_lead_pools_follow_the_same_rules(self, storage: Storage) -> None:
        """A lead followed up on day 1 of a 2-day rule stays owned until day 3, then returns."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        place.pools.create_pool(
            Pool.new(
                place.tenant,
                code="LP",
                name="Leads",
                kind=PoolKind.LEAD,
                claim_limit=1,
                return_after_days=2,
                members=(rep.id,),
                now=T0,
            )
        )
        lead = place.leads.add(
            Lead.new(
                place.tenant, source=LeadSource.CAMPAIGN, person="Zhou", phone="13900000000", now=T0
            )
        ).lead
        place.pools.enter("LP", lead.id)
        place.pools.claim("LP", lead.id, user_id=rep.id)
        place.clock.advance(timedelta(days=1))
        place.activity.log_follow_up(
            FollowUpSubject.LEAD, lead.id, kind=FollowUpKind.EMAIL, user_id=rep.id, outcome="sent"
        )
        place.clock.advance(timedelta(days=2) - MS)
        assert place.pools.owner_of("LP", lead.id) == rep.id
        place.clock.advance(MS)
        assert place.pools.owner_of("LP", lead.id) is None
        assert [e.action for e in place.pools.history("LP", lead.id)] == [
            PoolAction.ENTER,
            PoolAction.CLAIM,
            PoolAction.AUTO_RETURN,
        ]

    def test_sweeps_write_the_history_once(self, storage: Storage) -> None:
        """Two sweeps write one auto-return; reads agree before and after."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        _, customers = customer_pool(place, [rep], customers=3, claim_limit=3, return_after_days=2)
        for customer in customers[:2]:
            place.pools.claim("SH", customer.id, user_id=rep.id)
        place.clock.advance(timedelta(days=2))
        assert place.pools.owned_count("SH", rep.id) == 0
        assert place.pools.sweep("SH") == 2
        assert place.pools.sweep("SH") == 0
        for customer in customers[:2]:
            history = place.pools.history("SH", customer.id)
            assert [e.action for e in history] == [PoolAction.CLAIM, PoolAction.AUTO_RETURN]
            assert history[1].at == T0 + timedelta(days=2)
            assert history[1].user_id == rep.id


class TestRefusals:
    """Rule breaches raise the documented errors and change nothing."""

    def test_outsiders_and_non_owners_are_refused(self, storage: Storage) -> None:
        """A non-member cannot claim; a non-owner cannot return; an owned record is not free."""
        place = office(storage)
        rep, other, outsider = add_reps(place, 3)
        _, (customer,) = customer_pool(place, [rep, other], customers=1, claim_limit=2)
        before = snapshot(place)
        with pytest.raises(NotPoolMember):
            place.pools.claim("SH", customer.id, user_id=outsider.id)
        assert snapshot(place) == before
        place.pools.claim("SH", customer.id, user_id=rep.id)
        before = snapshot(place)
        with pytest.raises(NotOwner):
            place.pools.give_back("SH", customer.id, user_id=other.id, reason="not mine")
        with pytest.raises(NotInPool):
            place.pools.claim("SH", customer.id, user_id=other.id)
        assert snapshot(place) == before


class TestAssignment:
    """Managers assign by round robin or by region."""

    def test_round_robin_then_by_region(self, storage: Storage) -> None:
        """Round robin takes members in turn; by region picks a member of the record's region."""
        place = office(storage)
        manager, a, b = add_reps(place, 3)
        _, customers = customer_pool(place, [a, b], customers=3, claim_limit=5)
        owners = [place.pools.assign("SH", c.id, actor_id=manager.id).owner_id for c in customers]
        assert owners == [a.id, b.id, a.id]

    def test_by_region(self, storage: Storage) -> None:
        """A by-region pool assigns to the member of the record's region."""
        place = office(storage)
        (manager,) = add_reps(place, 1)
        west = User.new(place.tenant, login="w", name="W", role=Role.REP, region="west", now=T0)
        east = User.new(place.tenant, login="e", name="E", role=Role.REP, region="east", now=T0)
        with place.uow() as uow:
            uow.records(USERS).add(west)
            uow.records(USERS).add(east)
            uow.commit()
        pool = place.pools.create_pool(
            Pool.new(
                place.tenant,
                code="REG",
                name="Regional",
                kind=PoolKind.CUSTOMER,
                claim_limit=2,
                assignment=Assignment.BY_REGION,
                members=(west.id, east.id),
                now=T0,
            )
        )
        customer = Customer.new(
            place.tenant, code="E1", name="Eastern", region="east", pool_id=pool.id, now=T0
        )
        with place.uow() as uow:
            uow.records(CUSTOMERS).add(customer)
            uow.commit()
        assigned = place.pools.assign("REG", customer.id, actor_id=manager.id)
        assert assigned.owner_id == east.id
        assert [e.action for e in place.pools.history("REG", customer.id)] == [PoolAction.ASSIGN]
