"""Customers, contacts, the pricing link, the directory and opportunities on every backend."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import InvalidStateTransition, NotFound, ValidationError
from crmkit.domain.front_office.contacts import Contact
from crmkit.domain.front_office.customers import Customer, CustomerStatus, MapPoint
from crmkit.domain.front_office.errors import DuplicateCustomer, InactiveCustomer
from crmkit.domain.front_office.matching import company_key, email_key, phone_key
from crmkit.domain.front_office.opportunities import OpportunityStatus
from crmkit.domain.front_office.people import Role, Team, User
from crmkit.services import Storage
from crmkit.services.front_office.customers import pricing_customer
from crmkit.services.front_office.people import DirectoryService
from crmkit.testing.front_office import SALES_STAGES, T0, add_reps, office, snapshot


class TestMatchingKeys:
    """Phone, email and company name normalise for duplicate detection."""

    def test_keys(self) -> None:
        """Spacing, country prefix, case and legal-form suffixes do not matter."""
        assert phone_key("+86 138-0013-8000") == phone_key("0086 13800138000") == "13800138000"
        assert email_key(" Buy@Acme.CN ") == "buy@acme.cn"
        assert company_key("ACME Trading Co., Ltd.") == company_key("acme trading") == "acmetrading"
        assert company_key("上海某某贸易有限公司") == company_key("上海某某贸易") == "上海某某贸易"
        with pytest.raises(ValidationError):
            phone_key("12")
        with pytest.raises(ValidationError):
            email_key("not-an-address")

    def test_map_points_are_checked(self) -> None:
        """Decimals in range only; floats are refused."""
        assert MapPoint.of(Decimal("31.2304"), Decimal("121.4737")).latitude == Decimal("31.230400")
        with pytest.raises(ValidationError):
            MapPoint.of(31.2, 121.4)
        with pytest.raises(ValidationError):
            MapPoint.of(Decimal(91), Decimal(0))


class TestCustomers:
    """Stored customers: codes, twins, contacts and what pricing sees."""

    def test_pricing_sees_stored_groups_and_refuses_unknown_or_inactive(
        self, storage: Storage
    ) -> None:
        """A quote's customer is the stored one: its groups; unknown or inactive raise."""
        place = office(storage)
        place.customers.create(
            Customer.new(
                place.tenant, code="D-17", name="Dealer 17", groups=frozenset({"dealer"}), now=T0
            )
        )
        with place.uow() as uow:
            assert pricing_customer(uow, "D-17").groups == frozenset({"dealer"})
            with pytest.raises(NotFound):
                pricing_customer(uow, "D-99")
        place.customers.set_status("D-17", CustomerStatus.INACTIVE)
        with place.uow() as uow, pytest.raises(InactiveCustomer):
            pricing_customer(uow, "D-17")

    def test_a_twin_is_refused_and_changes_nothing(self, storage: Storage) -> None:
        """Same phone under another code raises DuplicateCustomer naming the existing code."""
        place = office(storage)
        place.customers.create(
            Customer.new(place.tenant, code="A", name="Alpha", phone="13800138000", now=T0)
        )
        before = snapshot(place)
        with pytest.raises(DuplicateCustomer) as raised:
            place.customers.create(
                Customer.new(place.tenant, code="B", name="Beta", phone="+86 138 0013 8000", now=T0)
            )
        assert raised.value.details == {"existing": "A", "matched_on": "phone"}
        assert snapshot(place) == before

    def test_one_primary_contact(self, storage: Storage) -> None:
        """A new primary contact demotes the previous one."""
        place = office(storage)
        customer = place.customers.create(Customer.new(place.tenant, code="A", name="A", now=T0))
        for name in ("Li", "Wang"):
            place.customers.add_contact(
                "A",
                Contact.new(place.tenant, customer_id=customer.id, name=name, primary=True, now=T0),
            )
        contacts = place.customers.contacts("A")
        assert [(c.name, c.is_primary) for c in contacts] == [("Li", False), ("Wang", True)]


class TestDirectory:
    """The org chart stays a tree."""

    def test_managers_chain_and_cycles(self, storage: Storage) -> None:
        """managers_of walks up; making a report the manager of its manager is refused."""
        place = office(storage)
        directory = DirectoryService(place.pools._uow, place.clock)
        team = directory.add_team(Team.new(place.tenant, code="EAST", name="East"))
        boss = directory.add_user(
            User.new(place.tenant, login="boss", name="Boss", role=Role.MANAGER, now=T0)
        )
        lead = directory.add_user(
            User.new(
                place.tenant,
                login="lead",
                name="Lead",
                role=Role.MANAGER,
                manager_id=boss.id,
                now=T0,
            )
        )
        rep = directory.add_user(
            User.new(
                place.tenant,
                login="rep",
                name="Rep",
                role=Role.REP,
                team_id=team.id,
                manager_id=lead.id,
                now=T0,
            )
        )
        assert [u.login for u in directory.managers_of(rep.id)] == ["lead", "boss"]
        assert [u.login for u in directory.team_members("EAST")] == ["rep"]
        before = snapshot(place)
        with pytest.raises(ValidationError):
            directory.set_manager(boss.id, rep.id)
        assert snapshot(place) == before


class TestOpportunities:
    """Opportunities move by their process's rules; the forecast is exact."""

    def test_moves_wins_and_losses(self, storage: Storage) -> None:
        """No skipping forward; required fields; won by a quote; closed ones stay closed."""
        place = office(storage)
        (rep,) = add_reps(place, 1)
        place.customers.create(Customer.new(place.tenant, code="A", name="A", now=T0))
        place.opportunities.define_process(code="STD", name="Standard", stages=SALES_STAGES)
        opened = place.opportunities.open(
            "A",
            process_code="STD",
            name="Tea",
            amount=Decimal("1000"),
            currency="CNY",
            expected_close=date(2026, 4, 1),
            owner_id=rep.id,
        )
        before = snapshot(place)
        with pytest.raises(InvalidStateTransition):
            place.opportunities.move(opened.id, "evaluation")
        assert snapshot(place) == before
        place.opportunities.move(opened.id, "quote")
        place.opportunities.move(opened.id, "evaluation")
        won = place.opportunities.win(opened.id, won_by_type="quote", won_by_id="Q-1")
        assert (won.status, won.won_by_id) == (OpportunityStatus.WON, "Q-1")
        with pytest.raises(InvalidStateTransition):
            place.opportunities.lose(opened.id, reason="price")

    def test_the_forecast_is_exact(self, storage: Storage, examples: int) -> None:
        """The weighted pipeline equals sum(amount x percent / 100) computed in fractions."""

        @settings(
            max_examples=max(3, examples // 4),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            deals=st.lists(
                st.tuples(
                    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
                    st.integers(0, 3),
                ),
                min_size=1,
                max_size=4,
            )
        )
        def check(deals: list[tuple[Decimal, int]]) -> None:
            place = office(storage)
            (rep,) = add_reps(place, 1)
            place.customers.create(Customer.new(place.tenant, code="A", name="A", now=T0))
            place.opportunities.define_process(
                code="STD", name="Standard", stages=SALES_STAGES, skip_forward=True
            )
            expected = Fraction(0)
            for n, (amount, stage) in enumerate(deals):
                opened = place.opportunities.open(
                    "A",
                    process_code="STD",
                    name=f"Deal {n}",
                    amount=amount,
                    currency="CNY",
                    expected_close=date(2026, 5, 1) + timedelta(days=n),
                    owner_id=rep.id,
                )
                if stage:
                    place.opportunities.move(opened.id, SALES_STAGES[stage].code)
                expected += Fraction(amount) * Fraction(SALES_STAGES[stage].win_percent) / 100
            (line,) = place.opportunities.forecast(rep.id)
            assert Fraction(line.weighted) == expected
            assert (line.period, line.count) == ("2026-05", len(deals))

        check()
