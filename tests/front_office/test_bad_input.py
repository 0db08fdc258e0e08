"""Trust no input: malformed arguments to every front-office service raise a CrmkitError
and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import CrmkitError
from crmkit.domain.front_office.follow_ups import FollowUpKind, FollowUpSubject
from crmkit.domain.front_office.leads import LeadStatus
from crmkit.services import Storage
from crmkit.testing.front_office import SALES_STAGES, T0, Office, add_reps, customer_pool, office
from crmkit.testing.front_office import snapshot as state_of

BAD = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.just(""),
    st.just("   "),
    st.just("x" * 300),
    st.just("bad\x00id"),
    st.dictionaries(st.just("$gt"), st.just("")),
    st.lists(st.text(max_size=3), max_size=2),
)


def instead(value: Any, valid: object, bad: object) -> Any:
    """``bad`` where ``value`` happens to be the valid ``valid``, else ``value``."""
    return bad if value is valid else value


def calls(place: Office, rep: str, customer: str) -> list[Callable[[Any], object]]:
    """Each public call with one argument replaced by the bad value."""
    pools, acts, deals, leads = place.pools, place.activity, place.opportunities, place.leads
    return [
        lambda v: pools.claim(v, customer, user_id=rep),
        lambda v: pools.claim("SH", v, user_id=rep),
        lambda v: pools.claim("SH", customer, user_id=v),
        lambda v: pools.give_back("SH", customer, user_id=rep, reason=v),
        lambda v: pools.assign("SH", customer, actor_id=v),
        lambda v: pools.enter("SH", v),
        lambda v: pools.history("SH", v),
        lambda v: pools.owned_count("SH", v),
        pools.sweep,
        place.customers.get,
        lambda v: place.customers.set_status("SH-C-0", v),
        lambda v: acts.log_follow_up(
            FollowUpSubject.CUSTOMER, customer, kind=FollowUpKind.CALL, user_id=rep, outcome=v
        ),
        lambda v: acts.log_follow_up(
            FollowUpSubject.CUSTOMER, customer, kind=v, user_id=rep, outcome="x"
        ),
        lambda v: acts.log_follow_up(
            FollowUpSubject.CUSTOMER,
            customer,
            kind=FollowUpKind.CALL,
            user_id=rep,
            outcome="x",
            at=instead(v, None, "now"),  # None means now
        ),
        lambda v: acts.create_task(title="t", assignee_id=rep, due_at=v),
        lambda v: acts.create_task(title=v, assignee_id=rep, due_at=T0),
        lambda v: deals.define_process(code="P", name="P", stages=v),
        lambda v: deals.open(
            "SH-C-0",
            process_code="STD",
            name="d",
            amount=-1 if isinstance(v, int) else v,  # any int >= 0 is an amount
            currency="CNY",
            expected_close=T0.date(),
            owner_id=rep,
        ),
        lambda v: deals.open(
            "SH-C-0",
            process_code="STD",
            name="d",
            amount=1,
            currency=v,
            expected_close=T0.date(),
            owner_id=rep,
        ),
        lambda v: deals.open(
            "SH-C-0",
            process_code="STD",
            name="d",
            amount=1,
            currency="CNY",
            expected_close=v,
            owner_id=rep,
        ),
        lambda v: deals.forecast(instead(v, None, "")),  # None means every owner
        lambda v: leads.move(v, LeadStatus.FOLLOWING),
        lambda v: leads.convert("x", customer_code="C", user_id=rep, key=v),
    ]


class TestMalformedInput:
    """Every call refuses a malformed argument with a CrmkitError and changes nothing."""

    @pytest.mark.parametrize("which", range(23))
    def test_malformed_arguments(self, storage: Storage, examples: int, which: int) -> None:
        """Bad types and forms never reach storage as anything but a CrmkitError."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        _, (customer, _) = customer_pool(place, [rep], customers=2, claim_limit=2)
        place.opportunities.define_process(code="STD", name="Standard", stages=SALES_STAGES)
        place.clock.advance(timedelta(minutes=1))
        call = calls(place, rep.id, customer.id)[which]
        before = state_of(place)

        @settings(
            max_examples=max(5, examples // 4),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(bad=BAD)
        def check(bad: object) -> None:
            with pytest.raises(CrmkitError):
                call(bad)
            assert state_of(place) == before

        check()
