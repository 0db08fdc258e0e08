"""Reservations: stock held for one order line in one warehouse until shipped or released."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import NewType

import attrs

from crmkit.domain.ids import ProductId, TenantId, new_id
from crmkit.domain.inventory.errors import OverShipment
from crmkit.domain.inventory.quantities import ZERO
from crmkit.domain.inventory.warehouse import WarehouseId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.quantity import normal_quantity
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import optional_utc_millis, utc_millis
from crmkit.domain.versioning import evolved

ReservationId = NewType("ReservationId", str)

ORDER_REF_MAX_LENGTH = 64


def order_ref(value: object, what: str = "order id") -> str:
    """An opaque order or order-line id (the sales order lives elsewhere).

    Raises:
        ValidationError: empty, longer than 64 characters or with control characters.
    """
    return clean_text(value, what, max_length=ORDER_REF_MAX_LENGTH)


def _line_ref(value: object) -> str:
    return order_ref(value, "order line id")


class ReservationStatus(enum.Enum):
    """Where a reservation is in its lifecycle; only ``OPEN`` holds stock."""

    OPEN = "open"
    CONSUMED = "consumed"
    """Everything was shipped."""
    RELEASED = "released"
    """Released explicitly (or by a stock count); what was not shipped went back."""
    EXPIRED = "expired"
    """Released because its expiry passed."""


@attrs.frozen
class Reservation:
    """``quantity`` of a product held in one warehouse for one order line.

    ``remaining`` (= quantity - shipped - released) is what it still holds; the stock
    level's ``reserved`` is the sum of the open reservations' remaining quantities.
    A reservation leaves ``OPEN`` exactly once: consumed by shipping, or released.
    """

    id: ReservationId
    tenant_id: TenantId
    order_id: str = attrs.field(converter=order_ref)
    line_id: str = attrs.field(converter=_line_ref)
    product_id: ProductId
    warehouse_id: WarehouseId
    quantity: Decimal = attrs.field(converter=normal_quantity)
    shipped: Decimal = attrs.field(converter=normal_quantity)
    released: Decimal = attrs.field(converter=normal_quantity)
    status: ReservationStatus
    expires_at: datetime | None = attrs.field(converter=optional_utc_millis)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        order_id: str,
        line_id: str,
        product_id: ProductId,
        warehouse_id: WarehouseId,
        quantity: Decimal,
        expires_at: datetime | None,
        now: datetime,
    ) -> Reservation:
        """A new open reservation, not yet stored."""
        return cls(
            id=ReservationId(new_id()),
            tenant_id=tenant_id,
            order_id=order_id,
            line_id=line_id,
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
            shipped=ZERO,
            released=ZERO,
            status=ReservationStatus.OPEN,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )

    def sibling(
        self, *, line_id: str, product_id: ProductId, warehouse_id: WarehouseId, quantity: Decimal
    ) -> Reservation:
        """For a reservation just made by :meth:`new`: what ``new`` makes for another line
        of the same order with the same expiry and time, copied from this one (what they
        share, converted here already, is not converted again)."""
        return evolved(
            self,
            id=ReservationId(new_id()),
            line_id=line_id,
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
        )

    @property
    def remaining(self) -> Decimal:
        """What the reservation still holds (zero once it is no longer open)."""
        return self.quantity - self.shipped - self.released

    @property
    def is_open(self) -> bool:
        """Whether it still holds stock."""
        return self.status is ReservationStatus.OPEN

    def is_expired(self, now: datetime) -> bool:
        """Whether it is open and its expiry has passed."""
        return self.is_open and self.expires_at is not None and self.expires_at <= now

    def ship(self, quantity: Decimal, now: datetime) -> Reservation:
        """``quantity`` of it was shipped; fully shipped means consumed.

        Raises:
            InvalidStateTransition: it is not open.
            OverShipment: ``quantity`` exceeds what it still holds.
        """
        self._must_hold("ship", quantity)
        shipped = self.shipped + quantity
        done = shipped + self.released == self.quantity  # a count may have released part
        status = ReservationStatus.CONSUMED if done else ReservationStatus.OPEN
        return attrs.evolve(self, shipped=shipped, status=status, updated_at=now)

    def release(self, now: datetime, *, expired: bool = False) -> Reservation:
        """Give back what it still holds; it is released (or expired) from now on.

        Raises:
            InvalidStateTransition: it is not open (released, expired or consumed already).
        """
        self._must_be_open("expire" if expired else "release")
        status = ReservationStatus.EXPIRED if expired else ReservationStatus.RELEASED
        return attrs.evolve(
            self, released=self.quantity - self.shipped, status=status, updated_at=now
        )

    def release_part(self, quantity: Decimal, now: datetime) -> Reservation:
        """Give back ``quantity`` of what it holds (a stock count fell below the reserved
        stock); it stays open with the rest, or is released if nothing is left.

        Raises:
            InvalidStateTransition: it is not open.
            OverShipment: ``quantity`` exceeds what it still holds.
        """
        self._must_hold("release part of", quantity)
        released = self.released + quantity
        left = self.quantity - self.shipped - released
        status = ReservationStatus.OPEN if left > 0 else ReservationStatus.RELEASED
        return attrs.evolve(self, released=released, status=status, updated_at=now)

    def _must_be_open(self, action: str) -> None:
        require_status("Reservation", self.id, self.status, (ReservationStatus.OPEN,), action)

    def _must_hold(self, action: str, quantity: Decimal) -> None:
        self._must_be_open(action)
        if quantity > self.remaining:
            raise OverShipment(self.id, quantity, self.remaining)
