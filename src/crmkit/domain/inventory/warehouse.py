"""仓库 Warehouse: where goods are stored; stock is kept per product and warehouse."""

from __future__ import annotations

from datetime import datetime
from typing import NewType

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

WarehouseId = NewType("WarehouseId", str)

CODE_MAX_LENGTH = 32
NAME_MAX_LENGTH = 200
PRIORITY_MAX = 1_000_000


def _code(value: object) -> str:
    return clean_text(value, "warehouse code", max_length=CODE_MAX_LENGTH)


def _name(value: object) -> str:
    return clean_text(value, "warehouse name", max_length=NAME_MAX_LENGTH)


def _priority(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= PRIORITY_MAX:
        raise ValidationError(
            f"warehouse priority must be an int in 0..{PRIORITY_MAX} (0 is served first), "
            f"got {value!r}.",
        )
    return value


@attrs.frozen
class Warehouse:
    """A warehouse of one tenant; its code is unique within the tenant.

    ``priority`` orders warehouses for allocation: lower numbers are served first, ties
    by code. An inactive warehouse keeps its stock but gets no new reservations.
    """

    id: WarehouseId
    tenant_id: TenantId
    code: str = attrs.field(converter=_code)
    name: str = attrs.field(converter=_name)
    active: bool
    priority: int = attrs.field(converter=_priority)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def new(
        cls, tenant_id: TenantId, *, code: str, name: str, priority: int, now: datetime
    ) -> Warehouse:
        """A new active warehouse, not yet stored.

        Raises:
            ValidationError: a field breaks its rule.
        """
        return cls(
            id=WarehouseId(new_id()),
            tenant_id=tenant_id,
            code=code,
            name=name,
            active=True,
            priority=priority,
            created_at=now,
            updated_at=now,
        )


WAREHOUSES: RecordType[Warehouse] = RecordType(
    Warehouse,
    entity="Warehouse",
    name="warehouse",
    fields=(
        text("id", 32),
        text("code", CODE_MAX_LENGTH),
        text("name", NAME_MAX_LENGTH),
        scalar("active", FieldKind.BOOLEAN),
        scalar("priority", FieldKind.INTEGER),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("code",),),
)
"""Warehouses on the declared-record machinery, in their existing table and collection."""
