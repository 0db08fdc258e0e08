"""Warehouses, 入库单 inbound orders and manual adjustments of the inventory service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import (
    ProductId,
    ValidationError,
    new_id,
)
from crmkit.domain.inventory import (
    InboundLine,
    InboundOrder,
    Movement,
    MovementId,
    MovementKind,
    StockBucket,
    Warehouse,
    WarehouseId,
    signed_quantity,
    stock_quantity,
)
from crmkit.domain.inventory.stock import REASON_MAX_LENGTH
from crmkit.domain.text import clean_text
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_base import InventoryBase, document_loader
from crmkit.services.inventory_steps import (
    lock_levels,
    products_exist,
    receive_lines,
    save_levels,
)
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying


@checked_calls
class StockReceiving(InventoryBase):
    """Warehouses, inbound orders and adjustments."""

    # ----------------------------------------------------------------- warehouses

    def create_warehouse(self, *, code: str, name: str, priority: int = 100) -> Warehouse:
        """Create an active warehouse (lower ``priority`` is served first).

        Raises:
            ValidationError: a field breaks its rule.
            DuplicateRecord: the tenant has a warehouse with this code.
        """
        return self._add(
            lambda uow: uow.warehouses,
            lambda uow: Warehouse.new(
                uow.tenant_id, code=code, name=name, priority=priority, now=self._clock.now()
            ),
        )

    def update_warehouse(
        self,
        warehouse_id: WarehouseId,
        *,
        name: str | None = None,
        active: bool | None = None,
        priority: int | None = None,
    ) -> Warehouse:
        """Rename, (de)activate or re-prioritise a warehouse; ``None`` keeps a field.

        Raises:
            NotFound: no such warehouse.
            ValidationError: a new value breaks its rule.
        """

        def attempt() -> Warehouse:
            with self._uow() as uow:
                current = uow.warehouses.get(warehouse_id)
                changes: dict[str, object] = {
                    k: v
                    for k, v in {"name": name, "active": active, "priority": priority}.items()
                    if v is not None
                }
                changed = attrs.evolve(current, **changes)  # type: ignore[arg-type]
                if changed == current:
                    return current
                saved = uow.warehouses.update(attrs.evolve(changed, updated_at=self._clock.now()))
                uow.commit()
                return saved

        return retrying(attempt, attempts=self._attempts)

    def list_warehouses(self) -> list[Warehouse]:
        """Every warehouse, by priority then code."""
        with self._uow() as uow:
            return uow.warehouses.list_all()

    # ----------------------------------------------------------------- inbound orders

    def create_inbound_order(
        self,
        warehouse_id: WarehouseId,
        lines: Sequence[tuple[ProductId, Decimal | int | str]],
        *,
        note: str | None = None,
    ) -> InboundOrder:
        """A draft 入库单 inbound order for goods arriving in ``warehouse_id``.

        Raises:
            NotFound: the warehouse or a product does not exist.
            ValidationError: no lines, or a quantity that is not positive.
        """
        parsed = tuple(
            InboundLine(pid, stock_quantity(q, f"inbound quantity of {pid!r}")) for pid, q in lines
        )
        if not parsed:
            raise ValidationError("an inbound order needs at least one line.")
        return self._add_draft(
            warehouse_id,
            [line.product_id for line in parsed],
            lambda tenant, now: InboundOrder.new(tenant, warehouse_id, parsed, now, note),
        )

    def confirm_inbound_order(self, order_id: str, *, key: str) -> InboundOrder:
        """Confirm a draft inbound order: its receipt movements are posted, once.

        Raises:
            NotFound: no such inbound order.
            InvalidStateTransition: it is confirmed or cancelled already (under another key).
            DuplicateRequest: ``key`` was used for another request.
        """

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, InboundOrder]:
            order = uow.stock_documents.get(InboundOrder, order_id).confirmed(now)
            lines = [(x.product_id, x.quantity) for x in order.lines]
            receive_lines(
                uow, lines, order.warehouse_id, StockBucket.SELLABLE,
                kind=MovementKind.RECEIPT, document=order, key=key, now=now,
            )  # fmt: skip
            return order.id, uow.stock_documents.update(order)

        payload: dict[str, object] = {"order": order_id}
        return self._keyed(
            key, "inventory.confirm_inbound", payload, work, document_loader(InboundOrder)
        )

    def cancel_inbound_order(self, order_id: str) -> InboundOrder:
        """Cancel a draft inbound order; nothing is posted.

        Raises:
            NotFound: no such inbound order.
            InvalidStateTransition: it is not a draft.
        """
        return self._cancel_draft(InboundOrder, order_id)

    def get_inbound_order(self, order_id: str) -> InboundOrder:
        """Raises: NotFound: no such inbound order."""
        return self._document(InboundOrder, order_id)

    # ----------------------------------------------------------------- adjustments

    def adjust(
        self,
        product_id: ProductId,
        warehouse_id: WarehouseId,
        delta: Decimal | int | str,
        *,
        reason: str,
        key: str,
        bucket: StockBucket = StockBucket.SELLABLE,
    ) -> Movement:
        """A manual adjustment of on-hand (or quarantined) stock, with a reason.

        Raises:
            NotFound: the product or the warehouse does not exist.
            ValidationError: a zero delta or an empty reason.
            BelowReserved: sellable stock would fall below what is reserved.
            NegativeStock: quarantined stock would fall below zero.
            DuplicateRequest: ``key`` was used for another request.
        """
        change = signed_quantity(delta, "adjustment quantity")
        why = clean_text(reason, "adjustment reason", max_length=REASON_MAX_LENGTH)

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, Movement]:
            products_exist(uow, [product_id])
            uow.warehouses.get(warehouse_id)
            stock_key = (product_id, warehouse_id)
            levels = lock_levels(uow, [stock_key], now)
            levels[stock_key] = levels[stock_key].adjusted(change, bucket, now, "the adjustment")
            movement_id = new_id()
            movement = attrs.evolve(
                Movement.new(
                    levels[stock_key],
                    bucket=bucket,
                    quantity=change,
                    kind=MovementKind.ADJUSTMENT,
                    document_type="adjustment",
                    document_id=movement_id,
                    request_key=key,
                    line=1,
                    now=now,
                    reason=why,
                ),
                id=MovementId(movement_id),
            )
            uow.movements.add(movement)
            save_levels(uow, levels)
            return movement.id, movement

        return self._keyed(
            key,
            "inventory.adjust",
            {
                "product": product_id,
                "warehouse": warehouse_id,
                "delta": change,
                "reason": why,
                "bucket": bucket,
            },
            work,
            lambda uow, done: uow.movements.get(MovementId(done)),
        )
