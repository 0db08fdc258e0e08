"""The stock ledger under random operations: a hypothesis state machine per storage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from crmkit.domain import DuplicateRequest, InvalidStateTransition, new_id
from crmkit.domain.inventory import (
    AllocationStrategy,
    BelowReserved,
    InsufficientStock,
    NegativeStock,
    OverReturn,
    OverShipment,
    ReservationId,
    ReservationStatus,
    ShortagePolicy,
    StockBucket,
)
from crmkit.services import Storage
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.inventory_support import Shop, check_invariants, open_shop, quantities
from crmkit.testing.running import run_machine

PRODUCTS = 2
WAREHOUSES = 2


class InventoryLedgerMachine(RuleBasedStateMachine):
    """Random receipts, reservations, releases, expiries, shipments, returns, counts,
    adjustments and repeated keys against one storage; the invariants hold after each."""

    storage: ClassVar[Storage]

    def __init__(self) -> None:
        super().__init__()
        self.shop: Shop = open_shop(self.storage, products=PRODUCTS, warehouses=(1, 2))
        self.reservations: list[ReservationId] = []
        self.notes: list[str] = []
        self.done: list[tuple[str, Callable[[], Any], Any]] = []
        self.left_open: dict[ReservationId, Any] = {}

    @initialize()
    def stock_something(self) -> None:
        """Start with some stock, so that reservations have something to take."""
        self.shop.receive(0, 0, 6)

    def _keyed(self, key: str, call: Callable[[], Any]) -> Any:
        """Run a keyed command and remember it, with its key and result, for repeats."""
        result = call()
        self.done.append((key, call, result))
        return result

    @rule(product=st.integers(0, PRODUCTS - 1), warehouse=st.integers(0, 1), qty=quantities())
    def receive(self, product: int, warehouse: int, qty: Decimal) -> None:
        """An inbound order is confirmed."""
        order = self.shop.inventory.create_inbound_order(
            self.shop.warehouses[warehouse].id, [(self.shop.products[product].id, qty)]
        )
        key = f"in-{new_id()}"
        self._keyed(key, lambda: self.shop.inventory.confirm_inbound_order(order.id, key=key))

    @rule(
        product=st.integers(0, PRODUCTS - 1),
        qty=quantities(8),
        strategy=st.sampled_from(AllocationStrategy),
        policy=st.sampled_from(ShortagePolicy),
        expires=st.none() | st.integers(1, 3),
    )
    def reserve(
        self,
        product: int,
        qty: Decimal,
        strategy: AllocationStrategy,
        policy: ShortagePolicy,
        expires: int | None,
    ) -> None:
        """An order line is reserved (or refused for lack of stock)."""
        key = f"res-{new_id()}"
        expiry = None if expires is None else self.shop.clock.now() + timedelta(minutes=expires)
        lines = [ReservationRequest("L1", self.shop.products[product].id, qty)]

        def call() -> Any:
            return self.shop.inventory.reserve(
                f"O-{key}",
                lines,
                key=key,
                strategy=strategy,
                policy=policy,
                preferred_warehouse=self.shop.warehouses[0].id,
                expires_at=expiry,
            )

        try:
            result = self._keyed(key, call)
        except InsufficientStock:
            assert policy is ShortagePolicy.ALL_OR_NOTHING
            return
        self.reservations.extend(r.id for r in result.reservations)
        assert (
            sum(r.quantity for r in result.reservations)
            + sum(b.quantity for b in result.backorders)
            == qty
        )

    @precondition(lambda self: self.reservations)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        """A reservation is released explicitly (refused if it is no longer open)."""
        rid = data.draw(st.sampled_from(self.reservations))
        key = f"rel-{new_id()}"
        try:
            self._keyed(key, lambda: self.shop.inventory.release(rid, key=key))
        except InvalidStateTransition:
            assert not self.shop.inventory.get_reservation(rid).is_open

    @rule(minutes=st.integers(1, 3))
    def time_passes(self, minutes: int) -> None:
        """The clock moves on and expired reservations are released."""
        self.shop.clock.advance(timedelta(minutes=minutes))
        for reservation in self.shop.inventory.release_expired():
            assert reservation.status is ReservationStatus.EXPIRED

    @precondition(lambda self: self.reservations)
    @rule(data=st.data(), qty=quantities(6), within=st.booleans())
    def ship(self, data: st.DataObject, qty: Decimal, within: bool) -> None:
        """Reserved goods are shipped (refused beyond the reservation or once closed)."""
        rid = data.draw(st.sampled_from(self.reservations))
        reservation = self.shop.inventory.get_reservation(rid)
        if within and reservation.remaining > 0:
            qty = min(qty, reservation.remaining)
        key = f"ship-{new_id()}"
        try:
            note = self._keyed(
                key, lambda: self.shop.inventory.ship(reservation.order_id, [(rid, qty)], key=key)
            )
        except OverShipment:
            assert qty > reservation.remaining
            return
        except InvalidStateTransition:
            assert not reservation.is_open or reservation.is_expired(self.shop.clock.now())
            return
        self.notes.append(note.id)

    @precondition(lambda self: self.notes)
    @rule(data=st.data(), qty=quantities(4), sellable=st.booleans(), warehouse=st.integers(0, 1))
    def take_back(self, data: st.DataObject, qty: Decimal, sellable: bool, warehouse: int) -> None:
        """Goods come back against a delivery note (refused beyond what was delivered)."""
        note_id = data.draw(st.sampled_from(self.notes))
        key = f"ret-{new_id()}"
        try:
            self._keyed(
                key,
                lambda: self.shop.inventory.receive_return(
                    note_id,
                    [(1, qty)],
                    warehouse_id=self.shop.warehouses[warehouse].id,
                    sellable=sellable,
                    key=key,
                ),
            )
        except OverReturn:
            line = self.shop.inventory.get_delivery_note(note_id).lines[0]
            assert qty > line.quantity - line.returned

    @rule(
        product=st.integers(0, PRODUCTS - 1),
        warehouse=st.integers(0, 1),
        counted=st.integers(0, 40).map(lambda n: Decimal(n) / 4),
        release=st.booleans(),
    )
    def count(self, product: int, warehouse: int, counted: Decimal, release: bool) -> None:
        """A count sheet is confirmed (refused below reserved unless releasing)."""
        sheet = self.shop.inventory.create_count(
            self.shop.warehouses[warehouse].id, [(self.shop.products[product].id, counted)]
        )
        key = f"count-{new_id()}"
        try:
            self._keyed(
                key,
                lambda: self.shop.inventory.confirm_count(
                    sheet.id, key=key, release_reservations=release
                ),
            )
        except BelowReserved:
            assert not release

    @rule(
        product=st.integers(0, PRODUCTS - 1),
        warehouse=st.integers(0, 1),
        delta=st.integers(-12, 12).filter(bool).map(lambda n: Decimal(n) / 4),
        quarantine=st.booleans(),
    )
    def adjust(self, product: int, warehouse: int, delta: Decimal, quarantine: bool) -> None:
        """A manual adjustment (refused below reserved or below zero quarantine)."""
        key = f"adj-{new_id()}"
        try:
            self._keyed(
                key,
                lambda: self.shop.inventory.adjust(
                    self.shop.products[product].id,
                    self.shop.warehouses[warehouse].id,
                    delta,
                    reason="random adjustment",
                    key=key,
                    bucket=StockBucket.QUARANTINE if quarantine else StockBucket.SELLABLE,
                ),
            )
        except (BelowReserved, NegativeStock):
            assert delta < 0

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def repeat(self, data: st.DataObject) -> None:
        """A command sent again with its key returns its first result and changes nothing."""
        _, call, first = data.draw(st.sampled_from(self.done))
        before = self._state()
        again = call()
        assert _ids(again) == _ids(first)
        assert self._state() == before

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def reuse_key(self, data: st.DataObject) -> None:
        """A used key sent with other content is refused and changes nothing."""
        key, _, _ = data.draw(st.sampled_from(self.done))
        before = self._state()
        try:
            self.shop.inventory.adjust(
                self.shop.products[0].id,
                self.shop.warehouses[0].id,
                1,
                reason="key reuse",
                key=key,
            )
        except DuplicateRequest:
            pass
        else:
            raise AssertionError(f"key {key!r} was accepted for other content")
        assert self._state() == before

    def _state(self) -> Any:
        return self.shop.snapshot(*{r.order_id for r in self._reservations()})

    def _reservations(self) -> list[Any]:
        with self.storage.unit_of_work(self.shop.tenant) as uow:
            return list(uow.reservations.get_many(self.reservations).values())

    @invariant()
    def ledger_is_consistent(self) -> None:
        """on hand = sum of movements; 0 <= reserved <= on hand = open reservations;
        shipped <= reserved; returned <= shipped; closed reservations never change."""
        with self.storage.unit_of_work(self.shop.tenant) as uow:
            check_invariants(uow, [p.id for p in self.shop.products], self.reservations, self.notes)
            current = uow.reservations.get_many(self.reservations)
        for rid, reservation in current.items():
            if rid in self.left_open:
                assert reservation == self.left_open[rid]  # released or consumed at most once
            elif not reservation.is_open:
                self.left_open[rid] = reservation


def _ids(result: Any) -> Any:
    if hasattr(result, "reservations"):
        return [r.id for r in result.reservations], result.backorders
    return result.id


class InventoryLedgerContract:
    """The ledger invariants hold on every storage under random operations."""

    stateful_examples: ClassVar[int] = 20
    stateful_steps: ClassVar[int] = 25

    def test_invariants_hold_under_random_operations(self, storage: Storage) -> None:
        """A hypothesis state machine keeps every inventory invariant (see the machine)."""
        machine = type("BoundLedgerMachine", (InventoryLedgerMachine,), {"storage": storage})
        run_machine(machine, examples=self.stateful_examples, steps=self.stateful_steps)
