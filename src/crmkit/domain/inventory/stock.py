"""库存 Stock: the level per product and warehouse, and the ledger of movements behind it.

The movements are the source of truth: ``on_hand`` is the sum of the sellable movements
and ``quarantine`` the sum of the quarantined ones. ``reserved`` is the sum of the open
reservations' remaining quantities and never exceeds ``on_hand``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import NewType

import attrs

from crmkit.domain.ids import ProductId, TenantId, new_id
from crmkit.domain.inventory.errors import BelowReserved, InsufficientStock, NegativeStock
from crmkit.domain.inventory.quantities import ZERO
from crmkit.domain.inventory.warehouse import WarehouseId
from crmkit.domain.quantity import normal_quantity
from crmkit.domain.requests import request_key
from crmkit.domain.text import clean_optional_text
from crmkit.domain.timestamps import utc_millis
from crmkit.domain.versioning import evolved

MovementId = NewType("MovementId", str)

REASON_MAX_LENGTH = 200


class StockBucket(enum.Enum):
    """Which stock a movement changes: sellable (on hand) or quarantined (not for sale)."""

    SELLABLE = "sellable"
    QUARANTINE = "quarantine"


class MovementKind(enum.Enum):
    """What posted a movement; each kind references its document."""

    RECEIPT = "receipt"
    """入库单 an inbound order was confirmed."""
    DELIVERY = "delivery"
    """发货单 a delivery note shipped goods."""
    RETURN = "return"
    """退货单 a return order took goods back."""
    COUNT = "count"
    """A confirmed stock count booked a difference."""
    ADJUSTMENT = "adjustment"
    """A manual adjustment, with a reason."""


@attrs.frozen
class StockLevel:
    """The stock of one product in one warehouse.

    Changes return a new level with the same ``version``; the repository stores it only if
    the stored version is still that one (a conditional write).
    """

    tenant_id: TenantId
    product_id: ProductId
    warehouse_id: WarehouseId
    on_hand: Decimal = attrs.field(converter=normal_quantity)
    reserved: Decimal = attrs.field(converter=normal_quantity)
    quarantine: Decimal = attrs.field(converter=normal_quantity)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def empty(
        cls, tenant_id: TenantId, product_id: ProductId, warehouse_id: WarehouseId, now: datetime
    ) -> StockLevel:
        """No stock at all (version 0: not stored yet)."""
        return cls(tenant_id, product_id, warehouse_id, ZERO, ZERO, ZERO, now, version=0)

    @property
    def available(self) -> Decimal:
        """What can still be reserved: on hand minus reserved."""
        return self.on_hand - self.reserved

    def received(self, quantity: Decimal, bucket: StockBucket, now: datetime) -> StockLevel:
        """Goods came in (receipt, return) as sellable or quarantined."""
        if bucket is StockBucket.QUARANTINE:
            return evolved(self, quarantine=self.quarantine + quantity, updated_at=now)
        return evolved(self, on_hand=self.on_hand + quantity, updated_at=now)

    def reserve(self, quantity: Decimal, now: datetime) -> StockLevel:
        """``quantity`` more is reserved.

        Raises:
            InsufficientStock: less than ``quantity`` is available.
        """
        if quantity > self.available:
            raise InsufficientStock(self.product_id, quantity, self.available, self.tenant_id)
        return evolved(self, reserved=self.reserved + quantity, updated_at=now)

    def unreserve(self, quantity: Decimal, now: datetime) -> StockLevel:
        """A reservation of ``quantity`` was released."""
        if quantity > self.reserved:
            raise AssertionError(f"releasing {quantity} but only {self.reserved} is reserved")
        return evolved(self, reserved=self.reserved - quantity, updated_at=now)

    def shipped(self, quantity: Decimal, now: datetime) -> StockLevel:
        """``quantity`` of reserved stock left the warehouse."""
        if quantity > self.reserved:
            raise AssertionError(f"shipping {quantity} but only {self.reserved} is reserved")
        return evolved(
            self,
            on_hand=self.on_hand - quantity,
            reserved=self.reserved - quantity,
            updated_at=now,
        )

    def adjusted(self, delta: Decimal, bucket: StockBucket, now: datetime, what: str) -> StockLevel:
        """On hand (or quarantine) changed by ``delta``.

        Raises:
            BelowReserved: sellable stock would fall below what is reserved.
            NegativeStock: quarantined stock would fall below zero.
        """
        if bucket is StockBucket.QUARANTINE:
            if self.quarantine + delta < 0:
                raise NegativeStock(
                    self.product_id, self.warehouse_id, bucket.value, self.quarantine + delta
                )
            return evolved(self, quarantine=self.quarantine + delta, updated_at=now)
        if self.on_hand + delta < self.reserved:
            raise BelowReserved(
                self.product_id, self.warehouse_id, self.on_hand + delta, self.reserved, what
            )
        return evolved(self, on_hand=self.on_hand + delta, updated_at=now)


def _reason(value: object) -> str | None:
    return clean_optional_text(value, "movement reason", max_length=REASON_MAX_LENGTH)


@attrs.frozen
class Movement:
    """One line of the stock ledger: a signed quantity into or out of a bucket.

    Every movement names the document that posted it (``document_type``/``document_id``)
    and the idempotency key of the command (``request_key``, ``line``), which is unique:
    a command can never post the same line twice.
    """

    id: MovementId
    tenant_id: TenantId
    product_id: ProductId
    warehouse_id: WarehouseId
    bucket: StockBucket
    quantity: Decimal = attrs.field(converter=normal_quantity)
    kind: MovementKind
    document_type: str
    document_id: str
    reason: str | None = attrs.field(converter=_reason)
    request_key: str = attrs.field(converter=request_key)
    line: int
    occurred_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def new(
        cls,
        level: StockLevel,
        *,
        bucket: StockBucket,
        quantity: Decimal,
        kind: MovementKind,
        document_type: str,
        document_id: str,
        request_key: str,
        line: int,
        now: datetime,
        reason: str | None = None,
    ) -> Movement:
        """A movement of ``quantity`` for the level's product and warehouse."""
        return cls(
            id=MovementId(new_id()),
            tenant_id=level.tenant_id,
            product_id=level.product_id,
            warehouse_id=level.warehouse_id,
            bucket=bucket,
            quantity=quantity,
            kind=kind,
            document_type=document_type,
            document_id=document_id,
            reason=reason,
            request_key=request_key,
            line=line,
            occurred_at=now,
        )
