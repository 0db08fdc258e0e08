"""Leads (销售线索): first-contact information, followed up and converted into a customer."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crmkit.domain.custom_fields import CustomValue
from crmkit.domain.errors import ValidationError
from crmkit.domain.front_office.matching import company_key, email_key, phone_key
from crmkit.domain.front_office.pools import POOL_STATE_FIELDS, Pooled, new_pool_state
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_optional_text
from crmkit.domain.timestamps import utc_millis


class LeadSource(enum.Enum):
    """Where a lead came from."""

    TRADE_SHOW = "trade_show"
    CAMPAIGN = "campaign"
    PURCHASE = "purchase"
    WEBSITE = "website"
    REFERRAL = "referral"
    OTHER = "other"


class LeadStatus(enum.Enum):
    """new -> following -> qualified -> converted, or invalid (with a reason) before that."""

    NEW = "new"
    FOLLOWING = "following"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    INVALID = "invalid"


LEAD_MOVES: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.FOLLOWING, LeadStatus.QUALIFIED, LeadStatus.INVALID}),
    LeadStatus.FOLLOWING: frozenset({LeadStatus.QUALIFIED, LeadStatus.INVALID}),
    LeadStatus.QUALIFIED: frozenset({LeadStatus.CONVERTED, LeadStatus.INVALID}),
    LeadStatus.CONVERTED: frozenset(),
    LeadStatus.INVALID: frozenset(),
}
"""The status changes a lead may make (conversion also from new and following)."""


@attrs.frozen
class Lead(Pooled):
    """A lead of the tenant, in a lead pool (线索池) or owned by a rep."""

    id: str
    tenant_id: TenantId
    source: LeadSource
    company: str | None
    person: str | None
    phone: str | None
    email: str | None
    region: str | None
    industry: str | None
    status: LeadStatus
    invalid_reason: str | None
    phone_key: str | None
    email_key: str | None
    company_key: str | None
    customer_id: str | None
    contact_id: str | None
    opportunity_id: str | None
    created_at: datetime
    custom: dict[str, CustomValue]
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        source: LeadSource,
        now: datetime,
        company: str | None = None,
        person: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        region: str | None = None,
        industry: str | None = None,
        pool_id: str | None = None,
        owner_id: str | None = None,
    ) -> Lead:
        """A new lead; it needs a company or a person, and a phone or an email.

        Raises:
            ValidationError: a value breaks its rule.
        """
        if not isinstance(source, LeadSource):
            raise ValidationError(f"lead source must be a LeadSource, not {source!r}.")
        company = clean_optional_text(company, "lead company", max_length=200)
        person = clean_optional_text(person, "lead person", max_length=200)
        phone = clean_optional_text(phone, "lead phone", max_length=40)
        email = clean_optional_text(email, "lead email", max_length=200)
        if company is None and person is None:
            raise ValidationError("a lead needs a company or a person; give one.")
        if phone is None and email is None:
            raise ValidationError(f"lead {company or person!r} needs a phone or an email.")
        owner = clean_optional_text(owner_id, "owner id", max_length=32)
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            source=source,
            company=company,
            person=person,
            phone=phone,
            email=email,
            region=clean_optional_text(region, "region", max_length=64),
            industry=clean_optional_text(industry, "industry", max_length=64),
            status=LeadStatus.NEW,
            invalid_reason=None,
            phone_key=phone_key(phone),
            email_key=email_key(email),
            company_key=company_key(company),
            customer_id=None,
            contact_id=None,
            opportunity_id=None,
            **new_pool_state(pool_id, owner, now),
            created_at=utc_millis(now),
            custom={},
        )


LEADS: RecordType[Lead] = RecordType(
    Lead,
    entity="Lead",
    name="lead",
    fields=(
        text("id", 32),
        text("source", 16, indexed=True),
        text("company", 200, nullable=True, indexed=True),
        text("person", 200, nullable=True),
        text("phone", 40, nullable=True),
        text("email", 200, nullable=True),
        text("region", 64, nullable=True, indexed=True),
        text("industry", 64, nullable=True, indexed=True),
        text("status", 16, indexed=True),
        text("invalid_reason", 200, nullable=True),
        text("phone_key", 20, nullable=True, indexed=True),
        text("email_key", 200, nullable=True, indexed=True),
        text("company_key", 200, nullable=True, indexed=True),
        text("customer_id", 32, nullable=True, indexed=True),
        text("contact_id", 32, nullable=True),
        text("opportunity_id", 32, nullable=True),
        *POOL_STATE_FIELDS,
        scalar("created_at", FieldKind.DATETIME, indexed=True),
    ),
    custom_fields=True,
)
