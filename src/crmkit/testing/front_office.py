"""Helpers for front-office tests: a tenant with reps, a pool and customers, and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.domain import TenantId
from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.opportunities import Stage
from crmkit.domain.front_office.people import USERS, Role, User
from crmkit.domain.front_office.pools import POOL_EVENTS, POOL_SEATS, POOLS, Pool, PoolKind
from crmkit.domain.front_office.types import FRONT_OFFICE_TYPES
from crmkit.domain.record_query import Equals
from crmkit.services import Storage
from crmkit.services.front_office.activity import ActivityService
from crmkit.services.front_office.customers import CustomerService
from crmkit.services.front_office.leads import LeadService
from crmkit.services.front_office.opportunities import OpportunityService
from crmkit.services.front_office.pools import PoolService
from crmkit.testing.tenants import TenantWorld, fresh_tenant

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@attrs.define
class Office(TenantWorld):
    """The front-office services of one fresh tenant on one storage, with a controlled clock."""

    pools: PoolService
    customers: CustomerService
    activity: ActivityService
    leads: LeadService
    opportunities: OpportunityService


def office(storage: Storage, start: datetime = T0, tenant: TenantId | None = None) -> Office:
    """The services of a fresh tenant (or ``tenant``) with a clock standing at ``start``."""
    tenant = tenant or fresh_tenant()
    clock = FixedClock(start)

    def uow() -> Any:
        return storage.unit_of_work(tenant)

    return Office(
        storage,
        tenant,
        clock,
        PoolService(uow, clock),
        CustomerService(uow, clock),
        ActivityService(uow, clock),
        LeadService(uow, clock),
        OpportunityService(uow, clock),
    )


def add_reps(place: Office, count: int, *, region: str | None = None) -> list[User]:
    """Store ``count`` active reps (logins rep-0, rep-1, ...)."""
    reps = [
        User.new(place.tenant, login=f"rep-{n}", name=f"Rep {n}", role=Role.REP, now=T0)
        for n in range(count)
    ]
    reps = [attrs.evolve(r, region=region) for r in reps]
    with place.uow() as uow:
        for rep in reps:
            uow.records(USERS).add(rep)
        uow.commit()
    return reps


def customer_pool(
    place: Office,
    members: list[User],
    *,
    customers: int,
    claim_limit: int,
    cool_down_minutes: int = 0,
    return_after_days: int | None = None,
    code: str = "SH",
) -> tuple[Pool, list[Customer]]:
    """A public pool with ``customers`` unowned customers (codes C-0, C-1, ...) in it."""
    pool = place.pools.create_pool(
        Pool.new(
            place.tenant,
            code=code,
            name=f"Pool {code}",
            kind=PoolKind.CUSTOMER,
            claim_limit=claim_limit,
            cool_down_minutes=cool_down_minutes,
            return_after_days=return_after_days,
            members=tuple(m.id for m in members),
            now=T0,
        )
    )
    stored = []
    with place.uow() as uow:
        for n in range(customers):
            customer = Customer.new(
                place.tenant, code=f"{code}-C-{n}", name=f"Firm {code} {n}", pool_id=pool.id, now=T0
            )
            stored.append(uow.records(CUSTOMERS).add(customer))
        uow.commit()
    return pool, stored


def snapshot(place: Office) -> dict[str, list[Any]]:
    """Every front-office record of the tenant, by type (to compare before and after)."""
    with place.uow() as uow:
        return {t.name: list(uow.records(t).every()) for t in FRONT_OFFICE_TYPES}


def pool_state(place: Office, pool: Pool) -> tuple[list[Any], list[Any], list[Any]]:
    """The pool's customers, seats and events as stored."""
    with place.uow() as uow:
        customers = uow.records(CUSTOMERS).find(Equals("pool_id", pool.id), limit=500).items
        seats = uow.records(POOL_SEATS).find(Equals("pool_id", pool.id), limit=500).items
        events = uow.records(POOL_EVENTS).find(Equals("pool_id", pool.id), limit=500).items
        uow.records(POOLS).get(pool.id)
    return list(customers), list(seats), list(events)


SALES_STAGES = (
    Stage("enquiry", "Enquiry", Decimal("10")),
    Stage("quote", "Quote", Decimal("40")),
    Stage("evaluation", "Evaluation", Decimal("62.5"), ("expected_close",)),
    Stage("agreed", "Agreed", Decimal("90")),
)
"""A four-stage sales process used by the tests and the documentation."""
