"""发货单 Delivery notes and 退货单 return orders of the inventory service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from crmkit.domain import (
    ValidationError,
)
from crmkit.domain.inventory import (
    DeliveryNote,
    ReservationId,
    ReturnOrder,
    WarehouseId,
    stock_quantity,
)
from crmkit.domain.inventory.reservation import order_ref
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_base import InventoryBase, document_loader
from crmkit.services.inventory_steps import (
    receive_return_lines,
    ship_reservations,
)
from crmkit.services.ports import UnitOfWork


@checked_calls
class StockShipping(InventoryBase):
    """Ship reserved stock and take goods back."""

    # ----------------------------------------------------------------- delivery notes

    def ship(
        self,
        order_id: str,
        lines: Sequence[tuple[ReservationId, Decimal | int | str]],
        *,
        key: str,
        note: str | None = None,
    ) -> DeliveryNote:
        """Post a 发货单 delivery note: ship reserved quantities, partially or fully.

        Shipping consumes the reservation and the on-hand stock (one delivery movement per
        line). A reservation shipped in full is consumed.

        Raises:
            NotFound: a reservation does not exist.
            ValidationError: no lines, a reservation twice, a quantity that is not
                positive, or a reservation of another order.
            InvalidStateTransition: a reservation is not open, or has expired.
            OverShipment: a line ships more than its reservation holds.
            DuplicateRequest: ``key`` was used for another request.
        """
        order = order_ref(order_id)
        wanted = [(rid, stock_quantity(q, f"shipped quantity of {rid!r}")) for rid, q in lines]
        if not wanted:
            raise ValidationError(f"a delivery note for order {order!r} needs a line.")
        if len({rid for rid, _ in wanted}) != len(wanted):
            raise ValidationError(f"order {order!r}: each reservation may appear once per note.")

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, DeliveryNote]:
            delivery = ship_reservations(uow, now, order, wanted, key=key, note=note)
            return delivery.id, delivery

        payload: dict[str, object] = {"order": order, "lines": wanted, "note": note}
        return self._keyed(key, "inventory.ship", payload, work, document_loader(DeliveryNote))

    def get_delivery_note(self, delivery_note_id: str) -> DeliveryNote:
        """Raises: NotFound: no such delivery note."""
        return self._document(DeliveryNote, delivery_note_id)

    # ----------------------------------------------------------------- return orders

    def receive_return(
        self,
        delivery_note_id: str,
        lines: Sequence[tuple[int, Decimal | int | str]],
        *,
        warehouse_id: WarehouseId,
        sellable: bool,
        key: str,
        note: str | None = None,
    ) -> ReturnOrder:
        """Post a 退货单 return order: goods back against delivery note lines, into
        ``warehouse_id``, as sellable stock or into quarantine.

        Raises:
            NotFound: the delivery note or the warehouse does not exist.
            ValidationError: no lines, a line twice or unknown, a quantity not positive.
            OverReturn: a line takes back more than was delivered and not yet returned.
            DuplicateRequest: ``key`` was used for another request.
        """
        wanted = [(n, stock_quantity(q, f"returned quantity of line {n}")) for n, q in lines]
        if not wanted:
            raise ValidationError("a return order needs at least one line.")
        if len({n for n, _ in wanted}) != len(wanted):
            raise ValidationError("each delivery note line may appear once per return order.")

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, ReturnOrder]:
            order = receive_return_lines(
                uow,
                now,
                delivery_note_id,
                wanted,
                warehouse_id=warehouse_id,
                sellable=sellable,
                key=key,
                note=note,
            )
            return order.id, order

        payload = {
            "delivery": delivery_note_id,
            "lines": wanted,
            "warehouse": warehouse_id,
            "sellable": sellable,
            "note": note,
        }
        return self._keyed(key, "inventory.return", payload, work, document_loader(ReturnOrder))
