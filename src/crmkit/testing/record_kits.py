"""What the generic record contract needs to know about a declared record type.

A :class:`RecordKit` gives the contract a record type, a hypothesis strategy for its
records, and the custom fields to define first (if the type has any). Kits for crmkit's
custom field definitions and for a small example type used only by tests ship here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from crmkit.domain import TenantId, new_id
from crmkit.domain.custom_fields import (
    CUSTOM_FIELD_DEFINITIONS,
    CustomFieldDefinition,
    CustomFieldKind,
    CustomValue,
)
from crmkit.domain.custom_objects import CustomObject, custom_object_type
from crmkit.domain.receivables.contracts import CONTRACTS
from crmkit.domain.receivables.invoices import (
    INVOICE_REQUESTS,
    ORDER_INVOICING,
)
from crmkit.domain.receivables.payments import (
    ORDER_RECEIPTS,
    PAYMENTS,
)
from crmkit.domain.receivables.plans import PAYMENT_PLANS
from crmkit.domain.receivables.refunds import REFUNDS
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text
from crmkit.testing.receivable_kits import (
    contract,
    contracts,
    invoice_request,
    invoice_requests,
    order_invoicing,
    order_invoicings,
    order_receipt,
    order_receipts,
    payment,
    payment_plan,
    payment_plans,
    payments,
    refund,
    refunds,
)
from crmkit.testing.record_kit import T0, RecordKit, small_texts, timestamps
from crmkit.testing.strategies import texts

__all__ = [
    "CONTACT_IDS",
    "DEFINITION_KIT",
    "KITS",
    "SAMPLE_CONTACTS",
    "SAMPLE_FIELDS",
    "SAMPLE_KIT",
    "SAMPLE_RECORDS",
    "T0",
    "TEST_TYPES",
    "VEHICLES",
    "VEHICLE_FIELDS",
    "VEHICLE_KIT",
    "RecordKit",
    "SampleContact",
    "SampleLine",
    "SampleRecord",
    "add_contacts",
    "contract",
    "contracts",
    "custom_value",
    "custom_values",
    "definition",
    "definitions",
    "invoice_request",
    "invoice_requests",
    "order_invoicing",
    "order_invoicings",
    "order_receipt",
    "order_receipts",
    "payment",
    "payment_plan",
    "payment_plans",
    "payments",
    "refund",
    "refunds",
    "sample_record",
    "sample_records",
    "small_texts",
    "timestamps",
    "vehicle",
    "vehicles",
]


@attrs.frozen
class SampleLine:
    """A nested part of the example record."""

    sku: str
    quantity: Decimal
    at: datetime


@attrs.frozen
class SampleRecord:
    """A record type used only by tests: every kind of field, nested parts, custom values."""

    id: str
    tenant_id: TenantId
    code: str
    title: str
    amount: Decimal
    count: int
    due: date | None
    at: datetime
    flag: bool
    note: str | None
    lines: tuple[SampleLine, ...]
    tags: frozenset[str]
    custom: dict[str, CustomValue]
    version: int = 1


SAMPLE_RECORDS: RecordType[SampleRecord] = RecordType(
    SampleRecord,
    entity="SampleRecord",
    name="sample_record",
    prefix="test_",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("title", 200, indexed=True),
        decimal("amount", 14, 2, indexed=True),
        scalar("count", FieldKind.INTEGER, indexed=True),
        scalar("due", FieldKind.DATE, nullable=True, indexed=True),
        scalar("at", FieldKind.DATETIME, indexed=True),
        scalar("flag", FieldKind.BOOLEAN, indexed=True),
        text("note", 200, nullable=True),
    ),
    unique=(("code",),),
    nested=("lines", "tags"),
    custom_fields=True,
)
"""The example type (tables ``test_sample_record``, collection ``test_sample_records``)."""


@attrs.frozen
class SampleContact:
    """A record the example's reference field points at (used only by tests)."""

    id: str
    tenant_id: TenantId
    name: str
    version: int = 1


SAMPLE_CONTACTS: RecordType[SampleContact] = RecordType(
    SampleContact,
    entity="SampleContact",
    name="sample_contact",
    prefix="test_",
    fields=(text("id", 32), text("name", 200)),
)
"""Referenced by the example's ``contact`` field (``test_sample_contact(s)``)."""

TEST_TYPES = (SAMPLE_RECORDS, SAMPLE_CONTACTS)
"""The record types whose tables or collections a backend under test must have."""

CONTACT_IDS = ("c-1", "c-2", "c-10")
"""The contacts every prepared tenant has."""


def add_contacts(uow: Any, tenant_id: TenantId) -> None:
    """Store the contacts the example records may refer to."""
    contacts = uow.records(SAMPLE_CONTACTS)
    for contact_id in CONTACT_IDS:
        contacts.add(SampleContact(contact_id, tenant_id, f"Contact {contact_id}"))


SAMPLE_FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "size", "kind": CustomFieldKind.NUMBER},
    {"key": "weight", "kind": CustomFieldKind.DECIMAL, "decimal_places": 2},
    {"key": "region", "kind": CustomFieldKind.CHOICE, "choices": ("north", "south", "東")},
    {"key": "remark", "kind": CustomFieldKind.TEXT},
    {"key": "visit_on", "kind": CustomFieldKind.DATE},
    {"key": "contact", "kind": CustomFieldKind.REFERENCE, "reference_to": "sample_contact"},
)
"""The custom fields the contract defines on the example type before writing records."""


def custom_value(kind: CustomFieldKind, field: dict[str, Any]) -> st.SearchStrategy[CustomValue]:
    """Valid values of a custom field."""
    strategies: dict[CustomFieldKind, st.SearchStrategy[Any]] = {
        CustomFieldKind.NUMBER: st.integers(-(10**15) + 1, 10**15 - 1) | st.integers(-20, 20),
        CustomFieldKind.DECIMAL: st.decimals(
            min_value=-(10**11), max_value=10**11, places=2, allow_nan=False
        )
        | st.sampled_from([Decimal("9"), Decimal("10.5"), Decimal("-0.25")]),
        CustomFieldKind.CHOICE: st.sampled_from(field.get("choices", ("x",))),
        CustomFieldKind.TEXT: small_texts(200),
        CustomFieldKind.DATE: st.dates(date(1900, 1, 1), date(2199, 12, 31)),
        CustomFieldKind.REFERENCE: st.sampled_from(CONTACT_IDS),
    }
    return strategies[kind]


@st.composite
def custom_values(draw: st.DrawFn) -> dict[str, CustomValue]:
    """Values for some of :data:`SAMPLE_FIELDS`."""
    chosen = draw(st.lists(st.sampled_from(SAMPLE_FIELDS), unique_by=lambda f: f["key"]))
    values = {f["key"]: draw(custom_value(f["kind"], f)) for f in chosen}
    return dict(sorted(values.items()))


@st.composite
def sample_records(draw: st.DrawFn, tenant_id: TenantId) -> SampleRecord:
    """Any valid example record of ``tenant_id``."""
    return SampleRecord(
        id=new_id(),
        tenant_id=tenant_id,
        code=draw(small_texts(32)),
        title=draw(small_texts(200)),
        amount=Decimal(
            draw(st.integers(-(10**13) + 1, 10**13 - 1) | st.integers(-999, 999))
        ).scaleb(-2),
        count=draw(st.integers(-(2**63), 2**63 - 1) | st.integers(-12, 12)),
        due=draw(st.none() | st.dates(date(1900, 1, 1), date(2199, 12, 31))),
        at=draw(timestamps()),
        flag=draw(st.booleans()),
        note=draw(st.none() | texts(200)),
        lines=tuple(
            draw(
                st.lists(
                    st.builds(
                        SampleLine,
                        sku=texts(20),
                        quantity=st.decimals(
                            min_value=0, max_value=10**6, places=3, allow_nan=False
                        ),
                        at=timestamps(),
                    ),
                    max_size=3,
                )
            )
        ),
        tags=frozenset(draw(st.lists(texts(10), max_size=3))),
        custom=draw(custom_values()),
        version=draw(st.integers(1, 2**31 - 1)),
    )


@st.composite
def definitions(draw: st.DrawFn, tenant_id: TenantId) -> CustomFieldDefinition:
    """Any valid custom field definition of ``tenant_id``."""
    kind = draw(st.sampled_from(CustomFieldKind))
    created = draw(timestamps())
    return CustomFieldDefinition(
        id=new_id(),
        tenant_id=tenant_id,
        record_type=draw(small_texts(64)),
        key=draw(st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)),
        label=draw(small_texts(200)),
        kind=kind,
        choices=tuple(draw(st.lists(small_texts(20), min_size=1, max_size=4, unique=True)))
        if kind is CustomFieldKind.CHOICE
        else (),
        decimal_places=draw(st.integers(0, 6)) if kind is CustomFieldKind.DECIMAL else 0,
        reference_to=draw(small_texts(64)) if kind is CustomFieldKind.REFERENCE else None,
        required=draw(st.booleans()),
        active=draw(st.booleans()),
        created_at=created,
        updated_at=draw(timestamps().filter(lambda d: d >= created)),
        version=draw(st.integers(1, 2**31 - 1)),
    )


def sample_record(tenant_id: TenantId, n: int) -> SampleRecord:
    """A plain example record; ``n`` makes its code unique."""
    return SampleRecord(
        id=new_id(),
        tenant_id=tenant_id,
        code=f"S-{n}",
        title=f"Sample {n}",
        amount=Decimal(n).scaleb(-2),
        count=n,
        due=date(2026, 1, 1 + n % 28),
        at=T0,
        flag=n % 2 == 0,
        note=None,
        lines=(SampleLine("SKU-1", Decimal("1.500"), T0),),
        tags=frozenset({"a", "b"}),
        custom={"region": "north", "size": n},
        version=1,
    )


def definition(tenant_id: TenantId, n: int) -> CustomFieldDefinition:
    """A plain custom field definition; ``n`` makes its key unique."""
    return CustomFieldDefinition.new(
        tenant_id,
        record_type="customer",
        key=f"field_{n}",
        label=f"Field {n}",
        kind=CustomFieldKind.TEXT,
        now=T0,
    )


SAMPLE_KIT: RecordKit[SampleRecord] = RecordKit(
    SAMPLE_RECORDS, sample_records, sample_record, SAMPLE_FIELDS, add_contacts
)
DEFINITION_KIT: RecordKit[CustomFieldDefinition] = RecordKit(
    CUSTOM_FIELD_DEFINITIONS, definitions, definition
)
VEHICLES = custom_object_type("vehicle", "Vehicle")
"""A tenant-defined object type used by the tests."""

VEHICLE_FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "plate", "kind": CustomFieldKind.TEXT},
    {"key": "seats", "kind": CustomFieldKind.NUMBER},
    {"key": "price", "kind": CustomFieldKind.DECIMAL, "decimal_places": 2},
    {"key": "bought_on", "kind": CustomFieldKind.DATE},
)


@st.composite
def vehicles(draw: st.DrawFn, tenant_id: TenantId) -> CustomObject:
    """Any valid vehicle (custom object) of ``tenant_id``."""
    chosen = draw(st.lists(st.sampled_from(VEHICLE_FIELDS), unique_by=lambda f: f["key"]))
    values = {f["key"]: draw(custom_value(f["kind"], f)) for f in chosen}
    created = draw(timestamps())
    return CustomObject(
        id=new_id(),
        tenant_id=tenant_id,
        object_type="vehicle",
        name=draw(small_texts(200)),
        custom=dict(sorted(values.items())),
        created_at=created,
        updated_at=draw(timestamps().filter(lambda d: d >= created)),
        version=draw(st.integers(1, 2**31 - 1)),
    )


def vehicle(tenant_id: TenantId, n: int) -> CustomObject:
    """A plain vehicle; ``n`` sets its name and seats."""
    return CustomObject.new(
        VEHICLES, tenant_id, name=f"Vehicle {n}", now=T0, custom={"seats": n, "plate": f"P{n}"}
    )


VEHICLE_KIT: RecordKit[CustomObject] = RecordKit(VEHICLES, vehicles, vehicle, VEHICLE_FIELDS)


KITS: dict[str, RecordKit[Any]] = {
    "contract": RecordKit(CONTRACTS, contracts, contract),
    "invoice_request": RecordKit(INVOICE_REQUESTS, invoice_requests, invoice_request),
    "order_invoicing": RecordKit(ORDER_INVOICING, order_invoicings, order_invoicing),
    "refund": RecordKit(REFUNDS, refunds, refund),
    "payment_plan": RecordKit(PAYMENT_PLANS, payment_plans, payment_plan),
    "payment": RecordKit(PAYMENTS, payments, payment),
    "order_receipts": RecordKit(ORDER_RECEIPTS, order_receipts, order_receipt),
    "sample": SAMPLE_KIT,
    "custom_field_definition": DEFINITION_KIT,
    "custom_object": VEHICLE_KIT,
}
"""Every kit by name: the record types the generic contract runs for."""
