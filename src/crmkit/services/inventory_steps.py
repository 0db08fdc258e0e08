"""Steps of the inventory commands that run inside a caller's unit of work.

The inventory service runs each in its own keyed unit of work; the order service runs
several of them, with the customer account's steps, in one unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import ConcurrencyConflict, InvalidStateTransition, NotFound, ProductId, new_id
from crmkit.domain.errors import ValidationError
from crmkit.domain.inventory import (
    AllocationStrategy,
    Candidate,
    DeliveryLine,
    DeliveryNote,
    DocumentStatus,
    InboundOrder,
    InsufficientStock,
    Movement,
    MovementKind,
    Reservation,
    ReservationId,
    ReturnLine,
    ReturnOrder,
    ShortagePolicy,
    StockBucket,
    StockCount,
    StockLevel,
    WarehouseId,
    allocate,
)
from crmkit.services.inventory_ports import StockKey
from crmkit.services.ports import UnitOfWork


@attrs.frozen
class Backorder:
    """What could not be reserved for an order line (partial policy)."""

    line_id: str
    product_id: ProductId
    quantity: Decimal


@attrs.frozen
class ReservationResult:
    """The reservations taken for an order, and the quantities backordered."""

    reservations: tuple[Reservation, ...]
    backorders: tuple[Backorder, ...]


EXPIRY_SCAN = 500
"""How many expired reservations a command looks at to stop counting them (oldest first)."""


def expire_due(uow: UnitOfWork, levels: Levels, now: datetime) -> list[Reservation]:
    """Expire, in this unit of work, the open reservations on ``levels`` whose expiry has
    passed: an expired reservation stops counting from its expiry, whether or not a sweep
    (:meth:`InventoryService.release_expired`) has run. The write is version-checked, so a
    concurrent sweep and this never both give the stock back."""
    done: list[Reservation] = []
    for reservation in uow.reservations.expired(now, EXPIRY_SCAN):
        key = (reservation.product_id, reservation.warehouse_id)
        if key in levels:
            expired = reservation.release(now, expired=True)
            uow.reservations.update(expired)
            levels[key] = levels[key].unreserve(expired.released - reservation.released, now)
            done.append(expired)
    return done


def uncounted(uow: UnitOfWork, levels: list[StockLevel], now: datetime) -> list[StockLevel]:
    """``levels`` as reads must show them: without what expired reservations still hold
    until the sweep tidies them."""
    late: dict[StockKey, Decimal] = {}
    for reservation in uow.reservations.expired(now, EXPIRY_SCAN):
        key = (reservation.product_id, reservation.warehouse_id)
        late[key] = late.get(key, Decimal(0)) + reservation.remaining
    return [
        attrs.evolve(x, reserved=x.reserved - late.get((x.product_id, x.warehouse_id), 0))
        for x in levels
    ]


def zero() -> Decimal:
    return Decimal(0).quantize(Decimal("0.0001"))


def reserve_lines(
    uow: UnitOfWork,
    now: datetime,
    order: str,
    wanted: Sequence[tuple[str, ProductId, Decimal]],
    *,
    strategy: AllocationStrategy,
    policy: ShortagePolicy,
    preferred_warehouse: WarehouseId | None,
    expiry: datetime | None,
    products_known: bool = False,
) -> ReservationResult:
    """Reserve ``wanted`` (line id, product, quantity) for ``order`` (see
    :meth:`InventoryService.reserve`); ``products_known``: the caller has read them in this
    unit of work already."""
    if expiry is not None and expiry <= now:
        raise ValidationError(
            f"reservation expiry {expiry.isoformat()} is not after now "
            f"({now.isoformat()}); give a moment in the future."
        )
    if not products_known:
        products_exist(uow, [pid for _, pid, _ in wanted])
    warehouses = {w.id: w for w in uow.warehouses.list_all() if w.active}
    if preferred_warehouse is not None and preferred_warehouse not in warehouses:
        uow.warehouses.get(preferred_warehouse)  # NotFound if it does not exist
        warehouses = {}  # it exists but is inactive: nothing can be allocated
    keys = [(pid, wid) for _, pid, _ in wanted for wid in warehouses]
    levels = lock_levels(uow, keys, now)
    expire_due(uow, levels, now)
    taken: list[Reservation] = []
    backorders: list[Backorder] = []
    first: Reservation | None = None
    for line, pid, quantity in wanted:
        candidates = [
            Candidate(wid, w.code, w.priority, levels[(pid, wid)].available)
            for wid, w in warehouses.items()
        ]
        split = allocate(quantity, candidates, strategy, preferred_warehouse)
        if split.backordered > 0 and policy is ShortagePolicy.ALL_OR_NOTHING:
            sku = uow.products.get(pid).sku
            raise InsufficientStock(pid, quantity, split.allocated, uow.tenant_id, sku=sku)
        for wid, part in split.parts:
            levels[(pid, wid)] = levels[(pid, wid)].reserve(part, now)
            if first is None:
                reservation = first = Reservation.new(
                    uow.tenant_id,
                    order_id=order,
                    line_id=line,
                    product_id=pid,
                    warehouse_id=wid,
                    quantity=part,
                    expires_at=expiry,
                    now=now,
                )
            else:  # the same order, expiry and time: the first one's, copied
                reservation = first.sibling(
                    line_id=line, product_id=pid, warehouse_id=wid, quantity=part
                )
            taken.append(reservation)
        if split.backordered > 0:
            backorders.append(Backorder(line, pid, split.backordered))
    uow.reservations.add_many(taken)
    save_levels(uow, levels)
    return ReservationResult(tuple(taken), tuple(backorders))


def ship_reservations(
    uow: UnitOfWork,
    now: datetime,
    order: str,
    wanted: Sequence[tuple[ReservationId, Decimal]],
    *,
    key: str,
    note: str | None,
    read: Mapping[ReservationId, Reservation] | None = None,
) -> DeliveryNote:
    """Post a delivery note shipping ``wanted`` (see :meth:`InventoryService.ship`);
    ``read``: the reservations as this unit of work read them already."""
    found = read if read is not None else uow.reservations.get_many([rid for rid, _ in wanted])
    for rid, _ in wanted:
        if rid not in found:
            raise NotFound("Reservation", "id", rid, uow.tenant_id)
        if found[rid].order_id != order:
            raise ValidationError(
                f"reservation {rid!r} belongs to order {found[rid].order_id!r}, not "
                f"{order!r}; ship it on a delivery note of its own order.",
            )
        if found[rid].is_expired(now):
            raise expired_error(found[rid])
    levels = lock_levels(
        uow, [(found[r].product_id, found[r].warehouse_id) for r, _ in wanted], now
    )
    delivery = DeliveryNote(
        new_id(), uow.tenant_id, order, DocumentStatus.POSTED, (), note, now, now
    )
    # The reservations first: a concurrent release or shipment makes this a conflict
    # (retried) before the stock levels are touched.
    changed = uow.reservations.update_many([found[rid].ship(q, now) for rid, q in wanted])
    shipped: list[DeliveryLine] = []
    moved: list[Movement] = []
    for n, (reservation, (rid, quantity)) in enumerate(zip(changed, wanted, strict=True), 1):
        stock_key = (reservation.product_id, reservation.warehouse_id)
        levels[stock_key] = levels[stock_key].shipped(quantity, now)
        moved.append(
            Movement.new(
                levels[stock_key],
                bucket=StockBucket.SELLABLE,
                quantity=-quantity,
                kind=MovementKind.DELIVERY,
                document_type=delivery.KIND,
                document_id=delivery.id,
                request_key=key,
                line=n,
                now=now,
            )
        )
        shipped.append(
            DeliveryLine(
                n,
                rid,
                reservation.line_id,
                reservation.product_id,
                reservation.warehouse_id,
                quantity,
                zero(),
            )
        )
    uow.movements.add_many(moved)
    save_levels(uow, levels)
    delivery = attrs.evolve(delivery, lines=tuple(shipped))
    uow.stock_documents.add(delivery)
    return delivery


def receive_return_lines(
    uow: UnitOfWork,
    now: datetime,
    delivery_note_id: str,
    wanted: Sequence[tuple[int, Decimal]],
    *,
    warehouse_id: WarehouseId,
    sellable: bool,
    key: str,
    note: str | None,
    first_line: int = 1,
) -> ReturnOrder:
    """Post a return order (see :meth:`InventoryService.receive_return`); its movements are
    numbered from ``first_line`` under ``key`` (several return orders share one key)."""
    bucket = StockBucket.SELLABLE if sellable else StockBucket.QUARANTINE
    delivery = uow.stock_documents.get(DeliveryNote, delivery_note_id)
    uow.warehouses.get(warehouse_id)
    returned: list[ReturnLine] = []
    for n, quantity in wanted:
        line = delivery.line(n)
        if line is None:
            raise ValidationError(
                f"delivery note {delivery.id!r} has no line {n}; lines are "
                f"{[x.line_no for x in delivery.lines]}.",
            )
        returned.append(ReturnLine(n, line.product_id, quantity))
    uow.stock_documents.update(delivery.with_returned(dict(wanted), now))
    order = ReturnOrder(
        new_id(),
        uow.tenant_id,
        delivery.id,
        warehouse_id,
        sellable,
        DocumentStatus.POSTED,
        tuple(returned),
        note,
        now,
        now,
    )
    lines = [(x.product_id, x.quantity) for x in returned]
    receive_lines(
        uow, lines, warehouse_id, bucket,
        kind=MovementKind.RETURN, document=order, key=key, now=now, first_line=first_line,
    )  # fmt: skip
    uow.stock_documents.add(order)
    return order


class Levels(dict[StockKey, StockLevel]):
    """Locked stock levels as changed by a command, with what they were when read."""

    def __init__(self, levels: dict[StockKey, StockLevel]) -> None:
        super().__init__(levels)
        self.before = dict(levels)


def products_exist(uow: UnitOfWork, product_ids: Sequence[ProductId]) -> None:
    found = uow.products.get_many(product_ids)
    for pid in product_ids:
        if pid not in found:
            raise NotFound("Product", "id", pid, uow.tenant_id)


def lock_levels(uow: UnitOfWork, keys: Sequence[StockKey], now: datetime) -> Levels:
    """The levels of ``keys`` (empty ones for keys never stocked), locked in key order."""
    wanted = sorted(set(keys))
    stored = uow.stock_levels.lock(wanted)
    return Levels(
        {k: stored.get(k) or StockLevel.empty(uow.tenant_id, k[0], k[1], now) for k in wanted}
    )


def save_levels(uow: UnitOfWork, levels: Levels) -> None:
    """Write the changed levels in ascending key order (their lock order)."""
    changed = [levels[k] for k in sorted(levels) if levels[k] != levels.before[k]]
    if changed:
        uow.stock_levels.save_many(changed)


def receive_lines(
    uow: UnitOfWork,
    lines: Sequence[tuple[ProductId, Decimal]],
    warehouse_id: WarehouseId,
    bucket: StockBucket,
    *,
    kind: MovementKind,
    document: InboundOrder | ReturnOrder,
    key: str,
    now: datetime,
    first_line: int = 1,
) -> None:
    """Add each line's quantity to ``bucket`` in ``warehouse_id``, posting one ``kind``
    movement per line (numbered from ``first_line``) under ``document``."""
    levels = lock_levels(uow, [(product_id, warehouse_id) for product_id, _ in lines], now)
    for n, (product_id, quantity) in enumerate(lines, first_line):
        stock_key = (product_id, warehouse_id)
        levels[stock_key] = levels[stock_key].received(quantity, bucket, now)
        post_movement(
            uow,
            level=levels[stock_key],
            quantity=quantity,
            bucket=bucket,
            kind=kind,
            document=document,
            key=key,
            line=n,
            now=now,
        )
    save_levels(uow, levels)


def post_movement(
    uow: UnitOfWork,
    *,
    level: StockLevel,
    quantity: Decimal,
    bucket: StockBucket,
    kind: MovementKind,
    document: InboundOrder | DeliveryNote | ReturnOrder | StockCount,
    key: str,
    line: int,
    now: datetime,
) -> None:
    uow.movements.add(
        Movement.new(
            level,
            bucket=bucket,
            quantity=quantity,
            kind=kind,
            document_type=document.KIND,
            document_id=document.id,
            request_key=key,
            line=line,
            now=now,
        )
    )


def release_reservations(
    uow: UnitOfWork, reservations: Sequence[Reservation], now: datetime, *, expired: bool
) -> list[Reservation]:
    """Release ``reservations`` and give their stock back, locking levels in key order.

    The reservations are read again once their levels are locked, and each is written
    (conditionally on its version) before its quantity goes back to the level: a
    reservation shipped or released concurrently is never given back twice.
    """
    for reservation in reservations:
        if not reservation.is_open:
            reservation.release(now, expired=expired)  # raises InvalidStateTransition
    levels = lock_levels(uow, [(r.product_id, r.warehouse_id) for r in reservations], now)
    current = uow.reservations.get_many([r.id for r in reservations])
    released: list[Reservation] = []
    for reservation in reservations:
        if current[reservation.id].version != reservation.version:
            raise ConcurrencyConflict(
                "Reservation", reservation.id, uow.tenant_id, "it changed since it was read"
            )
        done = reservation.release(now, expired=expired)
        released.append(uow.reservations.update(done))
        stock_key = (done.product_id, done.warehouse_id)
        levels[stock_key] = levels[stock_key].unreserve(done.released - reservation.released, now)
    save_levels(uow, levels)
    return released


def expired_error(reservation: Reservation) -> Exception:
    return InvalidStateTransition(
        "Reservation", reservation.id, "expired (release_expired will release it)", "ship"
    )
