"""The errors of the inventory area (库存): each with a stable ``code``."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.errors import ValidationError
from crmkit.domain.quantity import shown_quantity as plain

__all__ = ["BelowReserved", "InsufficientStock", "NegativeStock", "OverReturn", "OverShipment"]


class InsufficientStock(ValidationError):
    """A reservation asked for more than is available (all-or-nothing policy)."""

    code = "insufficient_stock"
    template = (
        "{product} in tenant {tenant_id!r}: {requested} requested but only {available} "
        "available in the warehouses the strategy allows; reserve less, use the partial "
        "policy, or receive stock first."
    )

    def __init__(
        self,
        product_id: str,
        requested: Decimal,
        available: Decimal,
        tenant_id: str,
        *,
        sku: str | None = None,
    ) -> None:
        product = f"SKU {sku!r}" if sku is not None else f"product {product_id!r}"
        self._tell(
            {"product": product, "requested": plain(requested), "available": plain(available)},
            field="quantity",
            sku=sku,
            product_id=product_id,
            requested=requested,
            available=available,
            tenant_id=tenant_id,
        )


class OverShipment(ValidationError):
    """A delivery note line ships more than its reservation still holds."""

    code = "over_shipment"
    default_field = "lines"
    template = (
        "reservation {reservation_id!r} holds {remaining}, cannot ship {quantity}; ship at "
        "most the reserved quantity or reserve more first."
    )

    def __init__(self, reservation_id: str, quantity: Decimal, remaining: Decimal) -> None:
        shows = {"quantity": plain(quantity), "remaining": plain(remaining)}
        self._tell(shows, reservation_id=reservation_id, quantity=quantity, remaining=remaining)


class OverReturn(ValidationError):
    """A return order line takes back more than was delivered and not yet returned."""

    code = "over_return"
    default_field = "lines"
    template = (
        "delivery note {delivery_note_id!r} line {line_no}: {left} delivered and not yet "
        "returned, cannot return {quantity}; return at most that quantity."
    )

    def __init__(self, delivery_note_id: str, line_no: int, quantity: Decimal, left: Decimal):
        self._tell(
            {"quantity": plain(quantity), "left": plain(left)},
            delivery_note_id=delivery_note_id,
            line_no=line_no,
            quantity=quantity,
            left=left,
        )


class BelowReserved(ValidationError):
    """A change would leave less on hand than is reserved (or a negative quantity)."""

    code = "below_reserved"
    template = (
        "{what} would leave product {product_id!r} in warehouse {warehouse_id!r} with "
        "{on_hand} on hand while {reserved} is reserved; release reservations first (or "
        "confirm the count with release_reservations=True)."
    )

    def __init__(
        self, product_id: str, warehouse_id: str, on_hand: Decimal, reserved: Decimal, what: str
    ) -> None:
        self._tell(
            {"what": what, "on_hand": plain(on_hand), "reserved": plain(reserved)},
            product_id=product_id,
            warehouse_id=warehouse_id,
            on_hand=on_hand,
            reserved=reserved,
        )


class NegativeStock(ValidationError):
    """A change would make a stock quantity negative."""

    code = "negative_stock"
    template = (
        "the change would leave {result} {bucket} stock of product {product_id!r} in warehouse "
        "{warehouse_id!r}; stock cannot be negative. Adjust by less."
    )

    def __init__(self, product_id: str, warehouse_id: str, bucket: str, result: Decimal) -> None:
        self._tell(
            {"result": plain(result)},
            product_id=product_id,
            warehouse_id=warehouse_id,
            bucket=bucket,
            result=result,
        )
