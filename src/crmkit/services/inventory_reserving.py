"""Reservations of the inventory service: reserve, release, expire."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import (
    ProductId,
    ValidationError,
)
from crmkit.domain.inventory import (
    AllocationStrategy,
    Reservation,
    ReservationId,
    ReservationStatus,
    ShortagePolicy,
    WarehouseId,
    stock_quantity,
)
from crmkit.domain.inventory.reservation import order_ref
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_base import EXPIRY_BATCH, InventoryBase
from crmkit.services.inventory_steps import (
    Backorder,
    ReservationResult,
    release_reservations,
    reserve_lines,
)
from crmkit.services.pagination import check_page_size
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying


@attrs.frozen
class ReservationRequest:
    """One order line to reserve: ``quantity`` of ``product_id``."""

    line_id: str
    product_id: ProductId
    quantity: Decimal | int | str


@checked_calls
class StockReserving(InventoryBase):
    """Reserve stock for order lines and give it back."""

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
