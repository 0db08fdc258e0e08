"""The inventory service (库存): warehouses, the stock ledger, inbound orders, reservations,
delivery notes, return orders and stock counts.

Every command that changes stock takes an idempotency ``key``: repeating it returns the
first result, reusing it for other content raises ``DuplicateRequest``. Stock levels are
locked (or conditionally written) in ascending (product, warehouse) order, and a whole
command is retried, a bounded number of times, when another writer got in the way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import attrs

from crmkit.domain import (
    ProductId,
    ValidationError,
    new_id,
)
from crmkit.domain.inventory import (
    AllocationStrategy,
    BelowReserved,
    CountLine,
    DeliveryNote,
    InboundLine,
    InboundOrder,
    Movement,
    MovementId,
    MovementKind,
    Reservation,
    ReservationId,
    ReservationStatus,
    ReturnOrder,
    ShortagePolicy,
    StockBucket,
    StockCount,
    StockLevel,
    Warehouse,
    WarehouseId,
    signed_quantity,
    stock_quantity,
)
from crmkit.domain.inventory.reservation import order_ref
from crmkit.domain.inventory.stock import REASON_MAX_LENGTH
from crmkit.domain.outbox import EventName, payload
from crmkit.domain.requests import request_key
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import fingerprint, remember, replay
from crmkit.services.inventory_steps import (
    Backorder,
    ReservationResult,
    lock_levels,
    post_movement,
    products_exist,
    receive_return_lines,
    release_reservations,
    reserve_lines,
    save_levels,
    ship_reservations,
    uncounted,
    zero,
)
from crmkit.services.order_steps import PendingEvent, write_events
from crmkit.services.pagination import Page, check_page_size, decode_cursor, encode_cursor
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.retry import retrying

T = TypeVar("T")
__all__ = ["Backorder", "InventoryService", "ReservationRequest", "ReservationResult"]

INVENTORY_ATTEMPTS = 40
"""Hot products make conflicts likely on optimistic backends: retry more than the default."""
EXPIRY_BATCH = 100


@attrs.frozen
class ReservationRequest:
    """One order line to reserve: ``quantity`` of ``product_id``."""

    line_id: str
    product_id: ProductId
    quantity: Decimal | int | str


@attrs.frozen
class WarehouseStock:
    """One product's stock in one warehouse."""

    warehouse_id: WarehouseId
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    quarantine: Decimal


@attrs.frozen
class ProductAvailability:
    """A product's stock over all warehouses, and per warehouse."""

    product_id: ProductId
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    quarantine: Decimal
    warehouses: tuple[WarehouseStock, ...]


@checked_calls
class InventoryService:
    """Stock of one tenant: receive, reserve, ship, take back and count."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        attempts: int = INVENTORY_ATTEMPTS,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._attempts = attempts

    # ----------------------------------------------------------------- warehouses

    def create_warehouse(self, *, code: str, name: str, priority: int = 100) -> Warehouse:
        """Create an active warehouse (lower ``priority`` is served first).

        Raises:
            ValidationError: a field breaks its rule.
            DuplicateRecord: the tenant has a warehouse with this code.
        """
        with self._uow() as uow:
            warehouse = Warehouse.new(
                uow.tenant_id, code=code, name=name, priority=priority, now=self._clock.now()
            )
            uow.warehouses.add(warehouse)
            uow.commit()
        return warehouse

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
        with self._uow() as uow:
            uow.warehouses.get(warehouse_id)
            products_exist(uow, [line.product_id for line in parsed])
            order = InboundOrder.new(uow.tenant_id, warehouse_id, parsed, self._clock.now(), note)
            uow.stock_documents.add(order)
            uow.commit()
        return order

    def confirm_inbound_order(self, order_id: str, *, key: str) -> InboundOrder:
        """Confirm a draft inbound order: its receipt movements are posted, once.

        Raises:
            NotFound: no such inbound order.
            InvalidStateTransition: it is confirmed or cancelled already (under another key).
            DuplicateRequest: ``key`` was used for another request.
        """

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, InboundOrder]:
            order = uow.stock_documents.get(InboundOrder, order_id).confirmed(now)
            levels = lock_levels(
                uow, [(x.product_id, order.warehouse_id) for x in order.lines], now
            )
            for n, line in enumerate(order.lines, 1):
                stock_key = (line.product_id, order.warehouse_id)
                levels[stock_key] = levels[stock_key].received(
                    line.quantity, StockBucket.SELLABLE, now
                )
                post_movement(
                    uow,
                    level=levels[stock_key],
                    quantity=line.quantity,
                    bucket=StockBucket.SELLABLE,
                    kind=MovementKind.RECEIPT,
                    document=order,
                    key=key,
                    line=n,
                    now=now,
                )
            save_levels(uow, levels)
            return order.id, uow.stock_documents.update(order)

        return self._keyed(
            key,
            "inventory.confirm_inbound",
            {"order": order_id},
            work,
            lambda uow, done: uow.stock_documents.get(InboundOrder, done),
        )

    def cancel_inbound_order(self, order_id: str) -> InboundOrder:
        """Cancel a draft inbound order; nothing is posted.

        Raises:
            NotFound: no such inbound order.
            InvalidStateTransition: it is not a draft.
        """

        def attempt() -> InboundOrder:
            with self._uow() as uow:
                order = uow.stock_documents.get(InboundOrder, order_id)
                saved = uow.stock_documents.update(order.cancelled(self._clock.now()))
                uow.commit()
                return saved

        return retrying(attempt, attempts=self._attempts)

    # ----------------------------------------------------------------- reservations

    def reserve(
        self,
        order_id: str,
        lines: Sequence[ReservationRequest],
        *,
        key: str,
        strategy: AllocationStrategy = AllocationStrategy.PRIORITY,
        policy: ShortagePolicy = ShortagePolicy.ALL_OR_NOTHING,
        preferred_warehouse: WarehouseId | None = None,
        expires_at: datetime | None = None,
    ) -> ReservationResult:
        """Reserve stock for order lines, split over the active warehouses by ``strategy``.

        With ``ALL_OR_NOTHING`` a line that cannot be covered fully makes the whole call
        fail and reserve nothing; with ``PARTIAL`` what is missing is reported as
        backordered. A reservation with ``expires_at`` is released by
        :meth:`release_expired` once the clock passes it.

        Raises:
            NotFound: a product or the preferred warehouse does not exist.
            ValidationError: no lines, a repeated line id, a quantity that is not positive,
                an expiry not in the future, or PREFERRED_ONLY without a warehouse.
            InsufficientStock: ALL_OR_NOTHING and a line cannot be covered.
            DuplicateRequest: ``key`` was used for another request.
        """
        order = order_ref(order_id)
        wanted = [
            (
                order_ref(r.line_id, "order line id"),
                r.product_id,
                stock_quantity(r.quantity, f"reserved quantity of line {r.line_id!r}"),
            )
            for r in lines
        ]
        if not wanted:
            raise ValidationError(f"reserving for order {order!r} needs at least one line.")
        if len({line for line, _, _ in wanted}) != len(wanted):
            raise ValidationError(f"order {order!r}: each line id may appear once per call.")
        if strategy is AllocationStrategy.PREFERRED_ONLY and preferred_warehouse is None:
            raise ValidationError("the preferred_only strategy needs preferred_warehouse=...")
        expiry = None if expires_at is None else utc_millis(expires_at)
        payload = {
            "order": order,
            "lines": [[line, pid, q] for line, pid, q in wanted],
            "strategy": strategy,
            "policy": policy,
            "preferred": preferred_warehouse,
            "expires_at": expiry,
        }

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, ReservationResult]:
            result = reserve_lines(
                uow,
                now,
                order,
                wanted,
                strategy=strategy,
                policy=policy,
                preferred_warehouse=preferred_warehouse,
                expiry=expiry,
            )
            return _encode_reservation_result(result), result

        return self._keyed(key, "inventory.reserve", payload, work, _decode_reservation_result)

    def release(self, reservation_id: ReservationId, *, key: str) -> Reservation:
        """Release an open reservation: what it still holds becomes available again.

        Releasing one that expired is a no-op that says so: the reservation comes back with
        status ``expired`` (marked so now if no sweep ran yet) and nothing is given back
        twice.

        Raises:
            NotFound: no such reservation.
            InvalidStateTransition: it is released or consumed already.
            DuplicateRequest: ``key`` was used for another request.
        """

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, Reservation]:
            current = uow.reservations.get(reservation_id)
            if current.status is ReservationStatus.EXPIRED:
                return current.id, current
            expired = current.is_expired(now)
            [released] = release_reservations(uow, [current], now, expired=expired)
            return released.id, released

        return self._keyed(
            key,
            "inventory.release",
            {"reservation": reservation_id},
            work,
            lambda uow, done: uow.reservations.get(ReservationId(done)),
        )

    def release_order(self, order_id: str, *, key: str) -> tuple[Reservation, ...]:
        """Release every open reservation of an order (none open: an empty result).

        Raises:
            DuplicateRequest: ``key`` was used for another request.
        """
        order = order_ref(order_id)

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, tuple[Reservation, ...]]:
            opened = uow.reservations.for_order(order, open_only=True)
            released = tuple(release_reservations(uow, opened, now, expired=False))
            return json.dumps([r.id for r in released]), released

        def load(uow: UnitOfWork, done: str) -> tuple[Reservation, ...]:
            ids = [ReservationId(i) for i in json.loads(done)]
            found = uow.reservations.get_many(ids)
            return tuple(found[i] for i in ids)

        return self._keyed(key, "inventory.release_order", {"order": order}, work, load)

    def release_expired(self, *, limit: int = EXPIRY_BATCH) -> tuple[Reservation, ...]:
        """Release (as expired) up to ``limit`` open reservations whose expiry has passed.

        Each is released in its own unit of work, at most once: a reservation released or
        shipped meanwhile is skipped.
        """
        check_page_size(limit)
        now = self._clock.now()
        with self._uow() as uow:
            due = [r.id for r in uow.reservations.expired(now, limit)]
        expired: list[Reservation] = []
        for reservation_id in due:

            def attempt(rid: ReservationId = reservation_id) -> Reservation | None:
                with self._uow() as uow:
                    current = uow.reservations.get(rid)
                    if not current.is_expired(now):
                        return None
                    [done] = release_reservations(uow, [current], now, expired=True)
                    uow.commit()
                    return done

            released = retrying(attempt, attempts=self._attempts)
            if released is not None:
                expired.append(released)
        return tuple(expired)

    def open_reservations(self, order_id: str) -> tuple[Reservation, ...]:
        """The order's open reservations, by line id."""
        with self._uow() as uow:
            return tuple(uow.reservations.for_order(order_ref(order_id), open_only=True))

    def get_reservation(self, reservation_id: ReservationId) -> Reservation:
        """Raises: NotFound: no such reservation."""
        with self._uow() as uow:
            return uow.reservations.get(reservation_id)

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

        return self._keyed(
            key,
            "inventory.ship",
            {"order": order, "lines": wanted, "note": note},
            work,
            lambda uow, done: uow.stock_documents.get(DeliveryNote, done),
        )

    def get_delivery_note(self, delivery_note_id: str) -> DeliveryNote:
        """Raises: NotFound: no such delivery note."""
        with self._uow() as uow:
            return uow.stock_documents.get(DeliveryNote, delivery_note_id)

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

        return self._keyed(
            key,
            "inventory.return",
            {
                "delivery": delivery_note_id,
                "lines": wanted,
                "warehouse": warehouse_id,
                "sellable": sellable,
                "note": note,
            },
            work,
            lambda uow, done: uow.stock_documents.get(ReturnOrder, done),
        )

    # ----------------------------------------------------------------- stock counts

    def create_count(
        self,
        warehouse_id: WarehouseId,
        lines: Sequence[tuple[ProductId, Decimal | int | str]],
        *,
        note: str | None = None,
    ) -> StockCount:
        """A draft count sheet: the quantities counted in ``warehouse_id``.

        Raises:
            NotFound: the warehouse or a product does not exist.
            ValidationError: no lines, a product twice, a negative count.
        """
        parsed = tuple(
            CountLine(pid, stock_quantity(q, f"counted quantity of {pid!r}", allow_zero=True))
            for pid, q in lines
        )
        if not parsed:
            raise ValidationError("a count sheet needs at least one line.")
        if len({x.product_id for x in parsed}) != len(parsed):
            raise ValidationError("each product may appear once per count sheet.")
        with self._uow() as uow:
            uow.warehouses.get(warehouse_id)
            products_exist(uow, [x.product_id for x in parsed])
            count = StockCount.new(uow.tenant_id, warehouse_id, parsed, self._clock.now(), note)
            uow.stock_documents.add(count)
            uow.commit()
        return count

    def confirm_count(
        self, count_id: str, *, key: str, release_reservations: bool = False
    ) -> StockCount:
        """Confirm a count sheet: book ``counted - on hand`` per line as count movements.

        A count below what is reserved is refused, unless ``release_reservations`` is
        true: then open reservations on that stock are released, newest first, until the
        count covers the rest; they are listed in ``released_reservations``.

        Raises:
            NotFound: no such count sheet.
            InvalidStateTransition: it is not a draft.
            BelowReserved: a count is below the reserved quantity and releasing was not
                asked for.
            DuplicateRequest: ``key`` was used for another request.
        """

        def work(uow: UnitOfWork, now: datetime) -> tuple[str, StockCount]:
            count = uow.stock_documents.get(StockCount, count_id)
            count.confirmed((), (), now)  # InvalidStateTransition before any work
            levels = lock_levels(
                uow, [(x.product_id, count.warehouse_id) for x in count.lines], now
            )
            booked: list[CountLine] = []
            released: list[tuple[ReservationId, Decimal]] = []
            events: list[PendingEvent] = []
            for n, line in enumerate(count.lines, 1):
                stock_key = (line.product_id, count.warehouse_id)
                level = levels[stock_key]
                if line.counted < level.reserved:
                    if not release_reservations:
                        raise BelowReserved(
                            line.product_id,
                            count.warehouse_id,
                            line.counted,
                            level.reserved,
                            f"stock count {count.id!r}",
                        )
                    need = level.reserved - line.counted
                    for reservation in uow.reservations.open_for_stock(*stock_key):
                        if need <= 0:
                            break  # newest first: the latest promises give way first
                        part = min(need, reservation.remaining)
                        done = reservation.release_part(part, now)
                        uow.reservations.update(done)
                        level = level.unreserve(part, now)
                        released.append((done.id, part))
                        need -= part
                        events.append(_count_released(done, part, count.id))
                difference = line.counted - level.on_hand
                if difference:
                    level = level.adjusted(difference, StockBucket.SELLABLE, now, "the count")
                    post_movement(
                        uow,
                        level=level,
                        quantity=difference,
                        bucket=StockBucket.SELLABLE,
                        kind=MovementKind.COUNT,
                        document=count,
                        key=key,
                        line=n,
                        now=now,
                    )
                levels[stock_key] = level
                booked.append(
                    attrs.evolve(
                        line, on_hand_before=line.counted - difference, difference=difference
                    )
                )
            save_levels(uow, levels)
            confirmed = uow.stock_documents.update(
                count.confirmed(tuple(booked), tuple(released), now)
            )
            write_events(uow, events, now)
            return confirmed.id, confirmed

        return self._keyed(
            key,
            "inventory.confirm_count",
            {"count": count_id, "release": release_reservations},
            work,
            lambda uow, done: uow.stock_documents.get(StockCount, done),
        )

    def cancel_count(self, count_id: str) -> StockCount:
        """Cancel a draft count sheet; nothing is booked.

        Raises:
            NotFound: no such count sheet.
            InvalidStateTransition: it is not a draft.
        """

        def attempt() -> StockCount:
            with self._uow() as uow:
                count = uow.stock_documents.get(StockCount, count_id)
                saved = uow.stock_documents.update(count.cancelled(self._clock.now()))
                uow.commit()
                return saved

        return retrying(attempt, attempts=self._attempts)

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

    # ----------------------------------------------------------------- queries

    def availability(
        self, product_ids: Collection[ProductId]
    ) -> dict[ProductId, ProductAvailability]:
        """Stock of these products over all warehouses, in one call.

        Raises:
            NotFound: a product does not exist.
        """
        wanted = sorted(set(product_ids))
        with self._uow() as uow:
            products_exist(uow, wanted)
            levels = uncounted(uow, uow.stock_levels.for_products(wanted), self._clock.now())
        per: dict[ProductId, list[StockLevel]] = {pid: [] for pid in wanted}
        for level in levels:
            per[level.product_id].append(level)
        return {pid: _availability(pid, per[pid]) for pid in wanted}

    def movement_history(
        self, product_id: ProductId, *, cursor: str | None = None, limit: int = 50
    ) -> Page[Movement]:
        """A page of the product's movements, oldest first; pass ``next_cursor`` on.

        Raises:
            ValidationError: a page size outside 1..500 or a cursor that is not valid.
        """
        check_page_size(limit)
        after: tuple[datetime, str] | None = None
        if cursor is not None:
            moment, movement_id = decode_cursor(cursor, 2)
            try:
                after = (datetime.fromisoformat(moment), movement_id)
            except ValueError:
                raise ValidationError(f"cursor {cursor!r} is not a movement cursor.") from None
        with self._uow() as uow:
            rows = uow.movements.history(product_id, after=after, limit=limit + 1)
        items = tuple(rows[:limit])
        more = len(rows) > limit
        last = items[-1] if items else None
        return Page(
            items,
            encode_cursor([last.occurred_at.isoformat(), last.id]) if more and last else None,
        )

    def get_inbound_order(self, order_id: str) -> InboundOrder:
        """Raises: NotFound: no such inbound order."""
        with self._uow() as uow:
            return uow.stock_documents.get(InboundOrder, order_id)

    def get_count(self, count_id: str) -> StockCount:
        """Raises: NotFound: no such count sheet."""
        with self._uow() as uow:
            return uow.stock_documents.get(StockCount, count_id)

    # ----------------------------------------------------------------- plumbing

    def _keyed(
        self,
        key: str,
        operation: str,
        payload: dict[str, object],
        work: Callable[[UnitOfWork, datetime], tuple[str, T]],
        load: Callable[[UnitOfWork, str], T],
    ) -> T:
        checked = request_key(key)
        digest = fingerprint(operation, payload)

        def attempt() -> T:
            with self._uow() as uow:
                done = replay(uow, checked, operation, digest)
                if done is not None:
                    return load(uow, done)
                now = self._clock.now()
                result, value = work(uow, now)
                remember(uow, checked, operation, digest, result=result, now=now)
                uow.commit()
                return value

        return retrying(attempt, attempts=self._attempts)


def _availability(product_id: ProductId, levels: list[StockLevel]) -> ProductAvailability:
    rows = tuple(
        WarehouseStock(x.warehouse_id, x.on_hand, x.reserved, x.available, x.quarantine)
        for x in sorted(levels, key=lambda x: x.warehouse_id)
    )
    return ProductAvailability(
        product_id,
        sum((r.on_hand for r in rows), zero()),
        sum((r.reserved for r in rows), zero()),
        sum((r.available for r in rows), zero()),
        sum((r.quarantine for r in rows), zero()),
        rows,
    )


def _encode_reservation_result(result: ReservationResult) -> str:
    return json.dumps(
        {
            "reservations": [r.id for r in result.reservations],
            "backorders": [[b.line_id, b.product_id, str(b.quantity)] for b in result.backorders],
        }
    )


def _decode_reservation_result(uow: UnitOfWork, done: str) -> ReservationResult:
    data = json.loads(done)
    ids = [ReservationId(i) for i in data["reservations"]]
    found = uow.reservations.get_many(ids)
    return ReservationResult(
        tuple(found[i] for i in ids),
        tuple(Backorder(line, ProductId(pid), Decimal(q)) for line, pid, q in data["backorders"]),
    )


def _count_released(reservation: Reservation, quantity: Decimal, count_id: str) -> PendingEvent:
    """The event telling the reservation's order that a count took ``quantity`` back."""
    data = payload(
        order_id=reservation.order_id,
        line_id=reservation.line_id,
        reservation_id=reservation.id,
        quantity=quantity,
        stock_count_id=count_id,
        still_reserved=reservation.remaining,
    )
    return PendingEvent(EventName.RESERVATION_RELEASED, reservation.order_id, data)
