"""The stock documents: 入库单 inbound orders, 发货单 delivery notes, 退货单 return orders
and stock count sheets. Each movement in the ledger references one of them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import attrs

from crmkit.domain.ids import ProductId, TenantId, new_id
from crmkit.domain.inventory.errors import OverReturn
from crmkit.domain.inventory.quantities import ZERO
from crmkit.domain.inventory.reservation import ReservationId, order_ref
from crmkit.domain.inventory.warehouse import WarehouseId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.quantity import normal_quantities, normal_quantity
from crmkit.domain.text import clean_optional_text
from crmkit.domain.timestamps import utc_millis


def _note(value: object) -> str | None:
    return clean_optional_text(value, "document note", max_length=200)


class DocumentStatus(enum.Enum):
    """The lifecycle of inbound orders and stock counts (delivery notes and return orders
    are posted when created)."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    POSTED = "posted"


def _must_be_draft(entity: str, record_id: str, status: DocumentStatus, action: str) -> None:
    require_status(entity, record_id, status, (DocumentStatus.DRAFT,), action)


_optional_quantity = attrs.converters.optional(normal_quantity)


@attrs.frozen
class InboundLine:
    """A product and the quantity received."""

    product_id: ProductId
    quantity: Decimal = attrs.field(converter=normal_quantity)


@attrs.frozen
class InboundOrder:
    """入库单 Inbound order: goods received into one warehouse.

    draft -> confirmed (posts one receipt movement per line, once) | cancelled.
    """

    KIND: ClassVar[str] = "inbound_order"

    id: str
    tenant_id: TenantId
    warehouse_id: WarehouseId
    status: DocumentStatus
    lines: tuple[InboundLine, ...]
    note: str | None = attrs.field(converter=_note)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        warehouse_id: WarehouseId,
        lines: tuple[InboundLine, ...],
        now: datetime,
        note: str | None = None,
    ) -> InboundOrder:
        """A new draft inbound order."""
        return cls(new_id(), tenant_id, warehouse_id, DocumentStatus.DRAFT, lines, note, now, now)

    def confirmed(self, now: datetime) -> InboundOrder:
        """Raises: InvalidStateTransition: it is not a draft."""
        _must_be_draft("InboundOrder", self.id, self.status, "confirm")
        return attrs.evolve(self, status=DocumentStatus.CONFIRMED, updated_at=now)

    def cancelled(self, now: datetime) -> InboundOrder:
        """Raises: InvalidStateTransition: it is not a draft."""
        _must_be_draft("InboundOrder", self.id, self.status, "cancel")
        return attrs.evolve(self, status=DocumentStatus.CANCELLED, updated_at=now)


@attrs.frozen
class DeliveryLine:
    """What one line of a delivery note shipped, from which reservation, and how much of
    it has come back since."""

    line_no: int
    reservation_id: ReservationId
    order_line_id: str
    product_id: ProductId
    warehouse_id: WarehouseId
    quantity: Decimal = attrs.field(converter=normal_quantity)
    returned: Decimal = attrs.field(converter=normal_quantity)


@attrs.frozen
class DeliveryNote:
    """发货单 Delivery note: reserved goods shipped to the customer for one order."""

    KIND: ClassVar[str] = "delivery_note"

    id: str
    tenant_id: TenantId
    order_id: str = attrs.field(converter=order_ref)
    status: DocumentStatus
    lines: tuple[DeliveryLine, ...]
    note: str | None = attrs.field(converter=_note)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    def line(self, line_no: int) -> DeliveryLine | None:
        """The line numbered ``line_no``, if there is one."""
        return next((x for x in self.lines if x.line_no == line_no), None)

    def with_returned(self, returns: dict[int, Decimal], now: datetime) -> DeliveryNote:
        """This note with ``returns`` (quantity per line number) taken back.

        Raises:
            OverReturn: a line would get back more than it shipped.
        """
        lines = []
        for line in self.lines:
            back = returns.get(line.line_no, ZERO)
            if back > line.quantity - line.returned:
                raise OverReturn(self.id, line.line_no, back, line.quantity - line.returned)
            lines.append(attrs.evolve(line, returned=line.returned + back))
        return attrs.evolve(self, lines=tuple(lines), updated_at=now)


@attrs.frozen
class ReturnLine:
    """Goods taken back against one delivery note line."""

    delivery_line_no: int
    product_id: ProductId
    quantity: Decimal = attrs.field(converter=normal_quantity)


@attrs.frozen
class ReturnOrder:
    """退货单 Return order: goods the customer sent back, into one warehouse, as sellable
    stock or into quarantine."""

    KIND: ClassVar[str] = "return_order"

    id: str
    tenant_id: TenantId
    delivery_note_id: str
    warehouse_id: WarehouseId
    sellable: bool
    status: DocumentStatus
    lines: tuple[ReturnLine, ...]
    note: str | None = attrs.field(converter=_note)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1


@attrs.frozen
class CountLine:
    """A counted quantity; at confirmation the on-hand figure and the difference booked."""

    product_id: ProductId
    counted: Decimal = attrs.field(converter=normal_quantity)
    on_hand_before: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(normal_quantity)
    )
    difference: Decimal | None = attrs.field(
        default=None, converter=attrs.converters.optional(normal_quantity)
    )


@attrs.frozen
class StockCount:
    """A count sheet of one warehouse: draft -> confirmed | cancelled.

    Confirming books ``counted - on hand`` per line as a count movement. If a count falls
    below what is reserved, it is refused unless the caller asks to release reservations:
    then exactly the missing quantity is released, newest reservations first (the last one
    only in part if that is enough); ``released_reservations`` lists them and
    ``released_quantities`` how much of each, in the same order.
    """

    KIND: ClassVar[str] = "stock_count"

    id: str
    tenant_id: TenantId
    warehouse_id: WarehouseId
    status: DocumentStatus
    lines: tuple[CountLine, ...]
    released_reservations: tuple[ReservationId, ...]
    note: str | None = attrs.field(converter=_note)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1
    released_quantities: tuple[Decimal, ...] = attrs.field(default=(), converter=normal_quantities)

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        warehouse_id: WarehouseId,
        lines: tuple[CountLine, ...],
        now: datetime,
        note: str | None = None,
    ) -> StockCount:
        """A new draft count sheet."""
        return cls(
            new_id(), tenant_id, warehouse_id, DocumentStatus.DRAFT, lines, (), note, now, now
        )

    def confirmed(
        self,
        lines: tuple[CountLine, ...],
        released: tuple[tuple[ReservationId, Decimal], ...],
        now: datetime,
    ) -> StockCount:
        """Raises: InvalidStateTransition: it is not a draft."""
        _must_be_draft("StockCount", self.id, self.status, "confirm")
        return attrs.evolve(
            self,
            status=DocumentStatus.CONFIRMED,
            lines=lines,
            released_reservations=tuple(rid for rid, _ in released),
            released_quantities=tuple(q for _, q in released),
            updated_at=now,
        )

    def cancelled(self, now: datetime) -> StockCount:
        """Raises: InvalidStateTransition: it is not a draft."""
        _must_be_draft("StockCount", self.id, self.status, "cancel")
        return attrs.evolve(self, status=DocumentStatus.CANCELLED, updated_at=now)


StockDocument = InboundOrder | DeliveryNote | ReturnOrder | StockCount
DOCUMENT_TYPES: dict[str, type[StockDocument]] = {
    cls.KIND: cls for cls in (InboundOrder, DeliveryNote, ReturnOrder, StockCount)
}
