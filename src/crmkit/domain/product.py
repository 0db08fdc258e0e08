"""产品 Product: anything of value the enterprise sells, measured in units."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import attrs

from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import ProductId, TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis

SKU_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
CATEGORY_MAX_LENGTH = 100
UNIT_MAX_LENGTH = 16
TAX_RATE_STEP = Decimal("0.0001")


def _sku(value: object) -> str:
    return clean_text(value, "product SKU", max_length=SKU_MAX_LENGTH)


def _name(value: object) -> str:
    return clean_text(value, "product name", max_length=NAME_MAX_LENGTH)


def _unit(value: object) -> str:
    return clean_text(value, "unit of measure", max_length=UNIT_MAX_LENGTH)


def _category(value: object) -> str | None:
    return clean_optional_text(value, "product category", max_length=CATEGORY_MAX_LENGTH)


def _tax_rate(value: object) -> Decimal:
    """A tax rate is a fraction in [0, 1] with at most four decimals (0.13 = 13%)."""
    rate = to_decimal(value, "product tax rate")
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValidationError(
            f"product tax rate {rate} is outside 0..1; give it as a fraction (0.13 for 13%).",
        )
    if rate != rate.quantize(TAX_RATE_STEP):
        raise ValidationError(
            f"product tax rate {rate} has more than four decimals; round it first.",
        )
    return rate.quantize(TAX_RATE_STEP)


@attrs.frozen
class Product:
    """A sellable product of one tenant; its SKU is unique within the tenant.

    Products are immutable values: changes return a new ``Product`` (see :meth:`changed`).
    ``version`` counts the writes stored so far; storage refuses a write whose version is
    not the stored one (optimistic concurrency).
    """

    id: ProductId
    tenant_id: TenantId
    sku: str = attrs.field(converter=_sku)
    name: str = attrs.field(converter=_name)
    unit: str = attrs.field(converter=_unit)
    tax_rate: Decimal = attrs.field(converter=_tax_rate)
    category: str | None = attrs.field(converter=_category)
    active: bool
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        sku: str,
        name: str,
        unit: str,
        tax_rate: Decimal | int | str,
        now: datetime,
        category: str | None = None,
        product_id: ProductId | None = None,
    ) -> Product:
        """A new active product, not yet stored.

        Raises:
            ValidationError: a field breaks its rule (empty SKU, tax rate outside 0..1...).
        """
        return cls(
            id=product_id or ProductId(new_id()),
            tenant_id=tenant_id,
            sku=sku,
            name=name,
            unit=unit,
            tax_rate=tax_rate,
            category=category,
            active=True,
            created_at=now,
            updated_at=now,
        )

    def changed(self, now: datetime, **changes: object) -> Product:
        """This product with ``changes`` applied and ``updated_at`` set to ``now``.

        Only ``sku``, ``name``, ``unit``, ``tax_rate``, ``category`` and ``active`` can
        change. Returns ``self`` unchanged if no field differs.

        Raises:
            ValidationError: an unknown field, or a value that breaks its rule.
        """
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise ValidationError(
                f"product {self.id!r}: cannot change {sorted(unknown)}; changeable fields "
                f"are {sorted(_CHANGEABLE)}.",
                product_id=self.id,
            )
        candidate = attrs.evolve(self, **cast(dict[str, Any], changes))
        if all(getattr(candidate, f) == getattr(self, f) for f in changes):
            return self
        return attrs.evolve(candidate, updated_at=now)


_CHANGEABLE = frozenset({"sku", "name", "unit", "tax_rate", "category", "active"})


PRODUCTS: RecordType[Product] = RecordType(
    Product,
    entity="Product",
    name="product",
    fields=(
        text("id", 32),
        text("sku", SKU_MAX_LENGTH, indexed=True),
        text("name", NAME_MAX_LENGTH),
        text("unit", UNIT_MAX_LENGTH),
        decimal("tax_rate", 5, 4),
        text("category", CATEGORY_MAX_LENGTH, nullable=True, indexed=True),
        scalar("active", FieldKind.BOOLEAN, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("sku",),),
)
"""Products on the declared-record machinery. Their SQL table and MongoDB indexes predate
it: the adapters attach the existing ones (ordered by SKU) instead of generating them."""
