"""The inventory repositories' batch writes: several levels, reservations or movements in
one call behave as the same writes one by one (a stale or duplicate one fails the batch)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from crmkit.domain import ConcurrencyConflict, CrmkitError, DuplicateRecord, NotFound
from crmkit.domain.inventory import (
    Movement,
    MovementKind,
    Reservation,
    ReservationId,
    StockBucket,
    StockLevel,
)
from crmkit.services import Storage, UnitOfWork
from crmkit.testing.inventory_support import Shop, open_shop
from crmkit.testing.ledger import T0


def _fails(
    storage: Storage, shop: Shop, error: type[CrmkitError], write: Callable[[UnitOfWork], object]
) -> None:
    """``write`` and a commit raise ``error`` (at either step)."""

    def attempt() -> None:
        with storage.unit_of_work(shop.tenant) as uow:
            write(uow)
            uow.commit()

    with pytest.raises(error):
        attempt()


def _reservations(shop: Shop, count: int) -> list[Reservation]:
    pid, wid = shop.products[0].id, shop.warehouses[0].id
    return [
        Reservation.new(
            shop.tenant,
            order_id="O-1",
            line_id=str(n),
            product_id=pid,
            warehouse_id=wid,
            quantity=Decimal(n + 1),
            expires_at=None,
            now=T0,
        )
        for n in range(count)
    ]


class InventoryBatchContract:
    """``save_many``, ``add_many`` and ``update_many`` on every storage."""

    def test_levels_are_inserted_and_updated_in_one_call(self, storage: Storage) -> None:
        """New and stored levels saved together come back at version + 1."""
        shop = open_shop(storage)
        (p0, p1), (w0, _) = [p.id for p in shop.products], [w.id for w in shop.warehouses]
        empty = [StockLevel.empty(shop.tenant, p, w0, T0) for p in (p0, p1)]
        with storage.unit_of_work(shop.tenant) as uow:
            first = uow.stock_levels.save_many([attrs.evolve(empty[0], on_hand=Decimal(2))])
            uow.commit()
        changed = [
            attrs.evolve(first[0], on_hand=Decimal(5)),
            attrs.evolve(empty[1], on_hand=Decimal(7)),
        ]
        with storage.unit_of_work(shop.tenant) as uow:
            saved = uow.stock_levels.save_many(changed)
            uow.commit()
        assert [x.version for x in saved] == [2, 1]
        with storage.unit_of_work(shop.tenant) as uow:
            stored = uow.stock_levels.lock([(p0, w0), (p1, w0)])
        assert stored == {(p0, w0): saved[0], (p1, w0): saved[1]}

    def test_one_stale_level_fails_the_whole_batch(self, storage: Storage) -> None:
        """A batch with one stale level raises ConcurrencyConflict and stores none of it."""
        shop = open_shop(storage)
        (p0, p1), w0 = [p.id for p in shop.products], shop.warehouses[0].id
        with storage.unit_of_work(shop.tenant) as uow:
            stored = uow.stock_levels.save_many(
                [
                    attrs.evolve(StockLevel.empty(shop.tenant, p, w0, T0), on_hand=Decimal(1))
                    for p in (p0, p1)
                ]
            )
            uow.commit()
        stale = attrs.evolve(stored[1], version=stored[1].version - 1, on_hand=Decimal(9))
        fresh = attrs.evolve(stored[0], on_hand=Decimal(8))
        _fails(
            storage,
            shop,
            ConcurrencyConflict,
            lambda uow: uow.stock_levels.save_many([fresh, stale]),
        )
        new = attrs.evolve(StockLevel.empty(shop.tenant, p0, w0, T0), on_hand=Decimal(3))
        _fails(storage, shop, ConcurrencyConflict, lambda uow: uow.stock_levels.save_many([new]))
        with storage.unit_of_work(shop.tenant) as uow:
            assert uow.stock_levels.lock([(p0, w0), (p1, w0)]) == {
                (p0, w0): stored[0],
                (p1, w0): stored[1],
            }

    def test_reservations_are_added_and_updated_in_one_call(self, storage: Storage) -> None:
        """Added together they load back equal; updated together they move to version 2."""
        shop = open_shop(storage)
        made = _reservations(shop, 3)
        with storage.unit_of_work(shop.tenant) as uow:
            uow.reservations.add_many(made)
            uow.commit()
        with storage.unit_of_work(shop.tenant) as uow:
            assert uow.reservations.get_many([r.id for r in made]) == {r.id: r for r in made}
            shipped = uow.reservations.update_many([r.ship(Decimal(1), T0) for r in made[:2]])
            uow.commit()
        assert [r.version for r in shipped] == [2, 2]
        with storage.unit_of_work(shop.tenant) as uow:
            assert uow.reservations.get_many([r.id for r in made]) == {
                **{r.id: r for r in made},
                **{r.id: r for r in shipped},
            }

    def test_a_stale_unknown_or_duplicate_reservation_fails_the_batch(
        self, storage: Storage
    ) -> None:
        """update_many with a stale or unknown one, add_many with a taken id: nothing stored."""
        shop = open_shop(storage)
        made = _reservations(shop, 2)
        with storage.unit_of_work(shop.tenant) as uow:
            uow.reservations.add_many(made)
            uow.commit()
        ship = [r.ship(Decimal(1), T0) for r in made]
        stale = [ship[0], attrs.evolve(ship[1], version=5)]
        _fails(storage, shop, ConcurrencyConflict, lambda uow: uow.reservations.update_many(stale))
        unknown = attrs.evolve(ship[1], id=ReservationId("no-such-reservation"))
        _fails(
            storage, shop, NotFound, lambda uow: uow.reservations.update_many([ship[0], unknown])
        )
        again = [*_reservations(shop, 1), made[1]]
        _fails(storage, shop, DuplicateRecord, lambda uow: uow.reservations.add_many(again))
        with storage.unit_of_work(shop.tenant) as uow:
            found = uow.reservations.get_many([r.id for r in [*made, again[0]]])
        assert found == {r.id: r for r in made}

    def test_movements_are_appended_in_one_call(self, storage: Storage) -> None:
        """Movements appended together load back equal; a taken request line fails them all."""
        shop = open_shop(storage)
        level = StockLevel.empty(shop.tenant, shop.products[0].id, shop.warehouses[0].id, T0)

        def moved(line: int) -> Movement:
            return Movement.new(
                level,
                bucket=StockBucket.SELLABLE,
                quantity=Decimal(line),
                kind=MovementKind.DELIVERY,
                document_type="delivery_note",
                document_id="D-1",
                request_key="batch",
                line=line,
                now=T0,
            )

        made = [moved(1), moved(2)]
        with storage.unit_of_work(shop.tenant) as uow:
            uow.movements.add_many(made)
            uow.commit()
        _fails(
            storage, shop, DuplicateRecord, lambda uow: uow.movements.add_many([moved(3), moved(2)])
        )
        with storage.unit_of_work(shop.tenant) as uow:
            assert [uow.movements.get(m.id) for m in made] == made
            history = uow.movements.history(shop.products[0].id, after=None, limit=10)
        assert history == sorted(made, key=lambda m: m.id)
