"""A tenant for the workflow and process tests: users, a customer pool, custom fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.bootstrap import Crm
from crmkit.domain import TenantId
from crmkit.domain.custom_fields import (
    CUSTOM_FIELD_DEFINITIONS,
    CustomFieldDefinition,
    CustomFieldKind,
)
from crmkit.domain.front_office.customers import Customer
from crmkit.domain.front_office.people import USERS, Role, User
from crmkit.domain.outbox import OutboxEvent, payload
from crmkit.domain.workflow_types import WORKFLOW_TYPES
from crmkit.services import Storage
from crmkit.services.order_steps import PendingEvent, claim_outbox, write_events
from crmkit.tenant_services import TenantServices
from crmkit.testing.front_office import Office, customer_pool, office, snapshot

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PING = "test.ping"


@attrs.define
class Place:
    """One fresh tenant: its services, front office, users (rep, manager, admin), a pool
    with customers C-0.. owned by nobody, and a ``tier`` custom field on customers."""

    office: Office
    services: TenantServices
    rep: User
    manager: User
    admin: User
    customers: list[Customer]

    @property
    def tenant(self) -> TenantId:
        """The tenant."""
        return self.office.tenant

    @property
    def clock(self) -> FixedClock:
        """The tenant's clock."""
        return self.office.clock

    def uow(self) -> Any:
        """A unit of work of the tenant."""
        return self.office.uow()

    def emit(self, name: str, aggregate_id: str, **fields: object) -> OutboxEvent:
        """Write one outbox event as a command would."""
        with self.uow() as uow:
            claim_outbox(uow)
            now = self.clock.now()
            (event,) = write_events(uow, [PendingEvent(name, aggregate_id, payload(**fields))], now)
            uow.commit()
        return event

    def snapshot(self) -> dict[str, list[Any]]:
        """Every front-office, workflow and process record of the tenant."""
        found = snapshot(self.office)
        with self.uow() as uow:
            for record_type in WORKFLOW_TYPES:
                found[record_type.name] = list(uow.records(record_type).find(limit=500).items)
            found["position"] = [uow.outbox_consumers.get("crmkit.workflows")]
        return found


def place(storage: Storage, *, customers: int = 3) -> Place:
    """A fresh tenant on ``storage`` (see :class:`Place`)."""
    fo = office(storage, T0)
    people = [
        User.new(fo.tenant, login=login, name=login.title(), role=role, now=T0)
        for login, role in (("rep", Role.REP), ("boss", Role.MANAGER), ("root", Role.ADMIN))
    ]
    with fo.uow() as uow:
        for user in people:
            uow.records(USERS).add(user)
        uow.records(CUSTOM_FIELD_DEFINITIONS).add(
            CustomFieldDefinition.new(
                fo.tenant, record_type="customer", key="tier", label="Tier",
                kind=CustomFieldKind.CHOICE, choices=("gold", "silver"), now=T0,
            )
        )  # fmt: skip
        uow.commit()
    _, made = customer_pool(fo, [people[0]], customers=customers, claim_limit=50)
    services = Crm(storage, fo.clock).tenant(fo.tenant)
    return Place(fo, services, people[0], people[1], people[2], made)
