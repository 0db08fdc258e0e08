"""Contacts (联系人): people at a customer; at most one primary contact per customer."""

from __future__ import annotations

from datetime import datetime

import attrs

from crmkit.domain.custom_fields import CustomValue
from crmkit.domain.front_office.matching import email_key, phone_key
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis


@attrs.frozen
class Contact:
    """A person at a customer, with roles (decision maker, buyer, ...) and matching keys."""

    id: str
    tenant_id: TenantId
    customer_id: str
    name: str
    roles: frozenset[str]
    is_primary: bool
    phone: str | None
    email: str | None
    phone_key: str | None
    email_key: str | None
    created_at: datetime
    custom: dict[str, CustomValue]
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        customer_id: str,
        name: str,
        now: datetime,
        roles: frozenset[str] = frozenset(),
        primary: bool = False,
        phone: str | None = None,
        email: str | None = None,
    ) -> Contact:
        phone = clean_optional_text(phone, "phone", max_length=40)
        email = clean_optional_text(email, "email", max_length=200)
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            customer_id=clean_text(customer_id, "customer id", max_length=32),
            name=clean_text(name, "contact name", max_length=200),
            roles=frozenset(clean_text(r, "contact role", max_length=40) for r in roles),
            is_primary=primary is True,
            phone=phone,
            email=email,
            phone_key=phone_key(phone),
            email_key=email_key(email),
            created_at=utc_millis(now),
            custom={},
        )


CONTACTS: RecordType[Contact] = RecordType(
    Contact,
    entity="Contact",
    name="contact",
    fields=(
        text("id", 32),
        text("customer_id", 32, indexed=True),
        text("name", 200, indexed=True),
        scalar("is_primary", FieldKind.BOOLEAN, indexed=True),
        text("phone", 40, nullable=True),
        text("email", 200, nullable=True),
        text("phone_key", 20, nullable=True, indexed=True),
        text("email_key", 200, nullable=True, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    nested=("roles",),
    custom_fields=True,
)
