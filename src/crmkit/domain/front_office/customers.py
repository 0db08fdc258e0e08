"""Customers (客户): companies or persons the enterprise does business with."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain.custom_fields import CustomValue
from crmkit.domain.errors import ValidationError
from crmkit.domain.front_office.matching import company_key, email_key, phone_key
from crmkit.domain.front_office.pools import POOL_STATE_FIELDS, Pooled, new_pool_state
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis


class CustomerKind(enum.Enum):
    """A company or a person."""

    COMPANY = "company"
    PERSON = "person"


class CustomerStatus(enum.Enum):
    """Whether quotes and orders may be made for the customer."""

    ACTIVE = "active"
    INACTIVE = "inactive"


@attrs.frozen
class MapPoint:
    """A point on the map, degrees with 6 decimals (about 0.1 m)."""

    latitude: Decimal
    longitude: Decimal

    @classmethod
    def of(cls, latitude: object, longitude: object) -> MapPoint:
        """A checked map point.

        Raises:
            ValidationError: not Decimals, or out of range.
        """
        step = Decimal("0.000001")
        if not isinstance(latitude, Decimal) or not isinstance(longitude, Decimal):
            raise ValidationError("latitude and longitude must be Decimals (never float).")
        if not latitude.is_finite() or not longitude.is_finite():
            raise ValidationError("latitude and longitude must be finite.")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(
                f"map point ({latitude}, {longitude}) is out of range: latitude within "
                f"-90..90, longitude within -180..180."
            )
        return cls(latitude.quantize(step), longitude.quantize(step))


@attrs.frozen
class Customer(Pooled):
    """A customer of the tenant; ``code`` is unique in the tenant.

    ``groups`` are the customer groups price lists are scoped to. Its pool state
    (:class:`~crmkit.domain.front_office.pools.Pooled`) says which public pool (公海) it
    belongs to and which rep owns it.
    """

    id: str
    tenant_id: TenantId
    code: str
    name: str
    kind: CustomerKind
    status: CustomerStatus
    address: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    region: str | None
    industry: str | None
    groups: frozenset[str]
    phone_key: str | None
    email_key: str | None
    name_key: str | None
    created_at: datetime
    custom: dict[str, CustomValue]
    version: int = 1

    @property
    def map_point(self) -> MapPoint | None:
        """The customer's point on the map, if known."""
        if self.latitude is None or self.longitude is None:
            return None
        return MapPoint(self.latitude, self.longitude)

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        code: str,
        name: str,
        now: datetime,
        kind: CustomerKind = CustomerKind.COMPANY,
        address: str | None = None,
        map_point: MapPoint | None = None,
        region: str | None = None,
        industry: str | None = None,
        groups: frozenset[str] = frozenset(),
        phone: str | None = None,
        email: str | None = None,
        pool_id: str | None = None,
        owner_id: str | None = None,
        custom: dict[str, CustomValue] | None = None,
    ) -> Customer:
        """A new active customer, owned by ``owner_id`` or in pool ``pool_id`` (or both)."""
        code = clean_text(code, "customer code", max_length=32)
        if not isinstance(kind, CustomerKind):
            raise ValidationError(f"kind of customer {code!r} must be a CustomerKind.")
        if not isinstance(groups, frozenset) or len(groups) > 50:
            raise ValidationError(f"groups of customer {code!r}: a frozenset of at most 50.")
        if map_point is not None and not isinstance(map_point, MapPoint):
            raise ValidationError(f"map point of customer {code!r} must be a MapPoint.")
        name = clean_text(name, "customer name", max_length=200)
        owner = clean_optional_text(owner_id, "owner id", max_length=32)
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            code=code,
            name=name,
            kind=kind,
            status=CustomerStatus.ACTIVE,
            address=clean_optional_text(address, "address", max_length=200),
            latitude=None if map_point is None else map_point.latitude,
            longitude=None if map_point is None else map_point.longitude,
            region=clean_optional_text(region, "region", max_length=64),
            industry=clean_optional_text(industry, "industry", max_length=64),
            groups=frozenset(clean_text(g, "customer group", max_length=64) for g in groups),
            phone_key=phone_key(clean_optional_text(phone, "phone", max_length=40)),
            email_key=email_key(clean_optional_text(email, "email", max_length=200)),
            name_key=company_key(name) if kind is CustomerKind.COMPANY else None,
            **new_pool_state(pool_id, owner, now),
            created_at=utc_millis(now),
            custom=dict(custom or {}),
        )


CUSTOMERS: RecordType[Customer] = RecordType(
    Customer,
    entity="Customer",
    name="customer",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("name", 200, indexed=True),
        text("kind", 16),
        text("status", 16, indexed=True),
        text("address", 200, nullable=True),
        decimal("latitude", 9, 6, nullable=True),
        decimal("longitude", 10, 6, nullable=True),
        text("region", 64, nullable=True, indexed=True),
        text("industry", 64, nullable=True, indexed=True),
        text("phone_key", 20, nullable=True, indexed=True),
        text("email_key", 200, nullable=True, indexed=True),
        text("name_key", 200, nullable=True, indexed=True),
        *POOL_STATE_FIELDS,
        scalar("created_at", FieldKind.DATETIME, indexed=True),
    ),
    unique=(("code",),),
    nested=("groups",),
    custom_fields=True,
)
