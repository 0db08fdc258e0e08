"""Seeded records of the front office, field work and custom fields for the hostile suite.

Each seeder stores a few records through the tenant's services and returns the values
named as the services' parameters name them (see :class:`crmkit.testing.hostile.World`):
``by_name`` per parameter name, ``by_call`` per ``"service.method"`` where a name means
another record, and ``by_type`` an unstored record of each class a call takes whole (a
customer to create, a pool to add), so that a call with one hostile argument gets past
the others.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs

from crmkit.domain.custom_fields import CustomFieldKind
from crmkit.domain.field_work.calendar import Priority
from crmkit.domain.field_work.shelf import SHELF_CHECKS, ShelfCheck, ShelfLine
from crmkit.domain.front_office.contacts import Contact
from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.follow_ups import FollowUpKind, FollowUpSubject
from crmkit.domain.front_office.leads import Lead, LeadSource
from crmkit.domain.front_office.people import Role, Team, User
from crmkit.domain.front_office.pools import Pool, PoolKind
from crmkit.services.front_office.leads import OpportunityDraft
from crmkit.tenant_services import TenantServices
from crmkit.testing.contracts.support import T0
from crmkit.testing.field_work import AUDIT_STEPS, STORE_POINT, calendar
from crmkit.testing.front_office import SALES_STAGES


@attrs.define
class Seeded:
    """What a seeder stored, named for the calls that use it."""

    by_name: dict[str, object] = attrs.field(factory=dict)
    by_call: dict[str, dict[str, object]] = attrs.field(factory=dict)
    by_type: dict[type, object] = attrs.field(factory=dict)


def seed_front_office(services: TenantServices) -> Seeded:
    """Users, a team, a pool holding a customer, a customer with a contact, a lead, a
    sales process with an opportunity, a task, a follow-up and a quote for the customer."""
    tenant = services.tenant_id
    rep = services.directory.add_user(
        User.new(tenant, login="rep-1", name="Rep", role=Role.REP, now=T0)
    )
    boss = services.directory.add_user(
        User.new(tenant, login="boss-1", name="Boss", role=Role.MANAGER, now=T0)
    )
    services.directory.set_manager(rep.id, boss.id)
    services.directory.add_team(Team.new(tenant, code="TEAM-1", name="Team", leader_id=boss.id))
    pool = services.pools.create_pool(
        Pool.new(
            tenant, code="POOL-1", name="Pool", kind=PoolKind.CUSTOMER, claim_limit=5, now=T0,
            members=(rep.id,),
        )
    )  # fmt: skip
    customer = services.customers.create(
        Customer.new(
            tenant, code="C-1", name="Firm", now=T0, map_point=STORE_POINT,
            groups=frozenset({"retail"}),
        )
    )  # fmt: skip
    pooled = services.customers.create(
        Customer.new(tenant, code="C-2", name="Pooled firm", now=T0, pool_id=pool.id)
    )
    services.customers.add_contact(
        "C-1", Contact.new(tenant, customer_id=customer.id, name="Ann", now=T0)
    )
    entry = services.leads.add(
        Lead.new(tenant, source=LeadSource.WEBSITE, now=T0, company="Lead Co", phone="555-0100")
    )
    services.opportunities.define_process(code="PROC-1", name="Sales", stages=SALES_STAGES)
    opportunity = services.opportunities.open(
        "C-1", process_code="PROC-1", name="Deal", amount="100", currency="EUR",
        expected_close=date(2026, 6, 1), owner_id=rep.id,
    )  # fmt: skip
    task = services.activities.create_task(
        title="Call back", assignee_id=rep.id, due_at=T0 + timedelta(days=1)
    )
    services.activities.log_follow_up(
        FollowUpSubject.LEAD, entry.lead.id, kind=FollowUpKind.CALL, user_id=rep.id, outcome="ok"
    )
    quote = services.customer_quotes.create_quote(
        "C-1", currency="EUR", valid_until=T0 + timedelta(days=30)
    )
    draft = OpportunityDraft("PROC-1", "From lead", Decimal("50"), "EUR", date(2026, 7, 1))
    return Seeded(
        {
            "customer_code": "C-1",
            "code": "C-1",
            "pool_code": "POOL-1",
            "record_id_": pooled.id,
            "user_id": rep.id,
            "actor_id": boss.id,
            "manager_id": boss.id,
            "owner_id": rep.id,
            "assignee_id": rep.id,
            "team_code": "TEAM-1",
            "lead_id": entry.lead.id,
            "subject_id": entry.lead.id,
            "process_code": "PROC-1",
            "opportunity_id": opportunity.id,
            "stage": "quote",
            "task_id": task.id,
            "quote_id": quote.id,
            "currency": "EUR",
            "stages": SALES_STAGES,
            "opportunity": draft,
        },
        {
            "opportunities.define_process": {"code": "PROC-2"},
            "customer_funds.open_account": {"currency": "USD"},
            "opportunities.win": {"won_by_type": "contract", "won_by_id": "K-1"},
        },
        {
            Customer: Customer.new(tenant, code="C-NEW", name="New firm", now=T0),
            Contact: Contact.new(tenant, customer_id=customer.id, name="New contact", now=T0),
            Pool: Pool.new(
                tenant,
                code="POOL-NEW",
                name="New pool",
                kind=PoolKind.LEAD,
                claim_limit=1,
                now=T0,
            ),
            Lead: Lead.new(
                tenant, source=LeadSource.CAMPAIGN, now=T0, company="New lead", email="a@b.c"
            ),
            Team: Team.new(tenant, code="TEAM-NEW", name="New team"),
            User: User.new(tenant, login="new-user", name="New user", role=Role.REP, now=T0),
            OpportunityDraft: draft,
        },
    )


def seed_field_work(services: TenantServices) -> Seeded:
    """The front office's records, then visit type ``audit`` with a visit planned at the
    store (customer ``C-1``), business calendar ``CN`` and work order ``WO-1``."""
    seeded = seed_front_office(services)
    rep_id = str(seeded.by_name["user_id"])
    customer = services.customers.get("C-1")
    services.visits.define_template("audit", name="Audit", steps=AUDIT_STEPS, grace_minutes=30)
    visit = services.visits.plan(
        customer_id=customer.id, rep_id=rep_id, visit_type="audit", planned_at=T0
    )
    services.work_orders.add_calendar(calendar(services.tenant_id))
    services.work_orders.create(
        request_key="seed-wo-1", number="WO-1", customer_id=customer.id, kind="repair",
        priority=Priority.NORMAL, title="Fix the fridge", calendar_code="CN",
    )  # fmt: skip
    seeded.by_name |= {
        "customer_id": customer.id,
        "rep_id": rep_id,
        "by_id": rep_id,
        "author_id": rep_id,
        "visit_id": visit.id,
        "visit_type": "audit",
        "step_code": "talk",
        "steps": AUDIT_STEPS,
        "latitude": STORE_POINT.latitude,
        "longitude": STORE_POINT.longitude,
        "day": T0.date(),
        "start": T0 - timedelta(days=1),
        "end": T0 + timedelta(days=1),
        "number": "WO-1",
        "calendar_code": "CN",
        "kind": "repair",
    }
    seeded.by_call |= {
        "work_orders.create": {"number": "WO-2"},
        "visits.define_template": {"visit_type": "survey"},
    }
    seeded.by_type[type(calendar(services.tenant_id))] = attrs.evolve(
        calendar(services.tenant_id), code="CAL-NEW"
    )
    return seeded


def seed_shelf_checks(services: TenantServices) -> Seeded:
    """Field work's records and a product, then two shelf checks of the store a week
    apart (stored directly: the service's clock stands still, and figures need two
    moments)."""
    seeded = seed_field_work(services)
    product = services.catalog.create_product(
        sku="SHELF-1", name="Cola", unit="pcs", tax_rate="0.13"
    )
    customer_id, visit_id = str(seeded.by_name["customer_id"]), str(seeded.by_name["visit_id"])
    counted = (Decimal(10), Decimal(7))
    with services.unit_of_work() as uow:
        checks = [
            uow.records(SHELF_CHECKS).add(
                ShelfCheck.new(
                    services.tenant_id,
                    customer_id=customer_id,
                    visit_id=visit_id,
                    lines=[ShelfLine(product.id, 2, on_shelf, Decimal("5.5"))],
                    now=T0 + timedelta(days=7 * n),
                )
            )
            for n, on_shelf in enumerate(counted)
        ]
        uow.commit()
    seeded.by_name |= {"previous_id": checks[0].id, "current_id": checks[1].id}
    return seeded


def seed_custom_fields(services: TenantServices) -> Seeded:
    """A text custom field ``size`` on customers."""
    services.custom_fields.define_field(
        CUSTOMERS, key="size", label="Size", kind=CustomFieldKind.TEXT
    )
    return Seeded(
        {"record_type": CUSTOMERS, "label": "Colour"},
        {"custom_fields.define_field": {"key": "colour"}},
    )
