"""Helpers for field-work tests: a tenant with a rep, stores on the map, a visit type,
a business calendar, and snapshots of every record to compare before and after."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product, ProductId, TenantId
from crmkit.domain.field_work.calendar import BusinessCalendar, Priority, SlaTarget
from crmkit.domain.field_work.templates import FormField, FormFieldKind, Step, StepKind
from crmkit.domain.field_work.types import FIELD_WORK_TYPES
from crmkit.domain.front_office.customers import CUSTOMERS, Customer, MapPoint
from crmkit.domain.front_office.people import USERS, Role, User
from crmkit.services import Storage
from crmkit.services.field_work.shelf import ShelfCheckService, StoreMovements
from crmkit.services.field_work.visits import VisitService
from crmkit.services.field_work.work_orders import WorkOrderService
from crmkit.testing.tenants import TenantWorld, fresh_tenant

T0 = datetime(2026, 9, 25, 1, 0, tzinfo=UTC)
"""Friday 25 September 2026, 09:00 in Shanghai."""

STORE_POINT = MapPoint(Decimal("31.230400"), Decimal("121.473700"))
"""People's Square, Shanghai: the map point of the test store."""

PRODUCT_IDS = ("p", "p-1", "p-a", "p-b")
"""The catalog's products in every test tenant (shelf lines must name catalog products)."""

AT_STORE_POINT = {"latitude": STORE_POINT.latitude, "longitude": STORE_POINT.longitude}
"""Check-in arguments at the store."""

AUDIT_STEPS = (
    Step("arrive", "Check in", StepKind.CHECK_IN),
    Step(
        "talk",
        "Talk to the manager",
        StepKind.FORM,
        True,
        (
            FormField("mood", FormFieldKind.CHOICE, True, ("good", "bad")),
            FormField("orders", FormFieldKind.NUMBER, False),
            FormField("photo", FormFieldKind.PHOTO, False),
        ),
    ),
    Step("count", "Count the shelf", StepKind.SHELF_CHECK),
    Step("leave", "Check out", StepKind.CHECK_OUT),
)
"""A store audit: check in, a form, a shelf check, check out."""

HOLIDAYS = (date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5))
EXTRA_WORKING_DAYS = (date(2026, 9, 27),)
"""National Day 2026 as the tests declare it: Sunday 27 September is worked (调休)."""


class FixedDeliveries:
    """A :class:`StoreDeliveries` answering from given movements (the service's test double)."""

    def __init__(self) -> None:
        self.movements: list[tuple[str, datetime, str, Decimal, bool]] = []

    def between(
        self, customer_id: str, product_ids: Collection[str], start: datetime, end: datetime
    ) -> StoreMovements:
        delivered: dict[str, Decimal] = {}
        returned: dict[str, Decimal] = {}
        for store, at, product, quantity, is_return in self.movements:
            if store == customer_id and product in product_ids and start < at <= end:
                target = returned if is_return else delivered
                target[product] = target.get(product, Decimal(0)) + quantity
        return StoreMovements(delivered, returned)


class FixedPrices:
    """A :class:`StorePrices` answering from a given price list (the service's test double)."""

    def __init__(self, prices: dict[str, Decimal]) -> None:
        self.prices = prices

    def listed(
        self, customer_id: str, product_ids: Collection[str], at: datetime
    ) -> dict[str, Decimal]:
        return {p: self.prices[p] for p in product_ids if p in self.prices}


@attrs.define
class Field(TenantWorld):
    """The field-work services of one fresh tenant, a rep, a store and a calendar."""

    visits: VisitService
    work_orders: WorkOrderService
    shelf: ShelfCheckService
    deliveries: FixedDeliveries
    rep: User
    store: Customer


def calendar(tenant: TenantId) -> BusinessCalendar:
    """Shanghai, 09:00-18:00, National Day 2026; urgent 1 h/4 h, high 2 h/9 h, normal
    4 h/18 h (two working days), low 9 h/45 h; reopen within 7 days."""
    return BusinessCalendar.new(
        tenant,
        code="CN",
        time_zone="Asia/Shanghai",
        working_hours=(time(9), time(18)),
        targets=(
            SlaTarget(Priority.URGENT, 60, 240),
            SlaTarget(Priority.HIGH, 120, 540),
            SlaTarget(Priority.NORMAL, 240, 1080),
            SlaTarget(Priority.LOW, 540, 2700),
        ),
        holidays=HOLIDAYS,
        extra_working_days=EXTRA_WORKING_DAYS,
    )


def field(storage: Storage, start: datetime = T0, *, radius: int | None = 200) -> Field:
    """A fresh tenant with a rep, a store on the map, visit type ``audit`` and calendar CN."""
    tenant = fresh_tenant()
    clock = FixedClock(start)

    def uow() -> Any:
        return storage.unit_of_work(tenant)

    rep = User.new(tenant, login="rep-1", name="Rep One", role=Role.REP, now=start)
    store = Customer.new(tenant, code="S-001", name="Store One", map_point=STORE_POINT, now=start)
    with storage.unit_of_work(tenant) as unit:
        unit.records(USERS).add(rep)
        store = unit.records(CUSTOMERS).add(store)
        for n, product in enumerate(PRODUCT_IDS):
            unit.products.add(
                Product.new(
                    tenant,
                    sku=f"SKU-{n}",
                    name=f"Product {product}",
                    unit="pcs",
                    tax_rate="0.13",
                    now=start,
                    product_id=ProductId(product),
                )
            )
        unit.commit()
    deliveries = FixedDeliveries()
    place = Field(
        storage,
        tenant,
        clock,
        VisitService(uow, clock),
        WorkOrderService(uow, clock),
        ShelfCheckService(uow, deliveries, FixedPrices({})),
        deliveries,
        rep,
        store,
    )
    place.visits.define_template(
        "audit", name="Store audit", steps=AUDIT_STEPS, grace_minutes=30, radius_metres=radius
    )
    place.work_orders.add_calendar(calendar(tenant))
    return place


def snapshot(place: Field) -> dict[str, list[Any]]:
    """Every field-work record of the tenant, by type."""
    with place.uow() as uow:
        return {t.name: list(uow.records(t).every()) for t in FIELD_WORK_TYPES}
