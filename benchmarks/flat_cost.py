"""Flat cost: the order path and account reads with a large catalog and ledger beside a
small one (every product priced and stocked; one account with many journal entries and
posted holds), loaded in bulk and then ``refresh_statistics``-ed as an import would."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from benchmarks.orders_bench import LINES, STOCK, _drafts
from crmkit import open_storage
from crmkit.domain import Money, Product, ProductId, new_id
from crmkit.domain.accounts import EntryKind, Fund, Hold, HoldStatus, JournalEntry
from crmkit.domain.inventory import StockLevel
from crmkit.domain.price_list import PriceEntry
from crmkit.domain.sales_order import SalesOrderId
from crmkit.services import Storage
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.order_support import CUSTOMER, OrderWorld, open_world

BATCH = 5_000
SPREAD = 7_919
"""A prime step between the bulk products an operation takes (none taken twice)."""
Timings = dict[str, float]


def load(world: OrderWorld, products: int, entries: int) -> str:
    """Fill the world's tenant with ``products`` more products (priced and stocked) and
    an account with ``entries`` journal entries and ``entries // 2`` posted holds; the
    account's customer id."""
    storage, tenant, now = world.storage, world.tenant, world.clock.now()
    with storage.unit_of_work(tenant) as uow:
        price_list = max(uow.price_lists.all(), key=lambda p: p.priority)
    warehouse = world.warehouses[0].id
    for start in range(0, products, BATCH):
        made = [
            Product.new(
                tenant,
                sku=f"BULK-{n:07}",
                name=f"Bulk {n}",
                unit="pcs",
                tax_rate="0.13",
                now=now,
                product_id=ProductId(f"bulk{n:07}"),
            )
            for n in range(start, min(products, start + BATCH))
        ]
        with storage.unit_of_work(tenant) as uow:
            for product in made:
                uow.products.add(product)
            uow.price_lists.add_entries(
                [PriceEntry.new(price_list, p.id, unit_price="9.99") for p in made]
            )
            uow.stock_levels.save_many(
                [
                    _evolved(StockLevel.empty(tenant, p.id, warehouse, now), on_hand=Decimal(5))
                    for p in made
                ]
            )
            uow.commit()
    customer = f"flat-{new_id()[:8]}"
    account = world.accounts.open_account(customer, "CNY")
    amount, balance = Decimal("1000.00"), Decimal(0)
    seq, posted = 0, Decimal(0)
    for start in range(0, entries, BATCH):
        size = min(entries, start + BATCH) - start
        with storage.unit_of_work(tenant) as uow:
            for _ in range(size):
                seq += 1
                balance += amount
                uow.journal.append(_deposit(world, account.id, seq, amount, balance, now, entries))
            for _ in range(size // 2):
                uow.holds.add(_posted_hold(world, account.id, now))
                posted += Decimal("1.00")
            stored = uow.customer_accounts.get(account.id, for_update=True)
            uow.customer_accounts.update(
                _evolved(stored, prepayment_balance=balance, prepayment_posted=posted, last_seq=seq)
            )
            uow.commit()
    refresh = getattr(storage, "refresh_statistics", None)
    if refresh is not None:
        refresh()
    return customer


def _deposit(  # noqa: PLR0917 -- one row, written out
    world: OrderWorld,
    account_id: str,
    seq: int,
    amount: Decimal,
    balance: Decimal,
    now: Any,
    n: int,
) -> JournalEntry:
    return JournalEntry(
        world.tenant,
        account_id,
        seq,
        f"bulk-{seq}",
        EntryKind.DEPOSIT,
        Fund.PREPAYMENT,
        amount,
        Decimal(0),
        balance,
        Decimal(0),
        None,
        None,
        None,
        now - timedelta(seconds=n - seq + 1),
    )


def _posted_hold(world: OrderWorld, account_id: str, now: Any) -> Hold:
    return Hold(
        new_id(),
        world.tenant,
        account_id,
        f"old-{new_id()[:12]}",
        Fund.PREPAYMENT,
        Decimal("1.00"),
        Decimal("1.00"),
        Decimal(0),
        Decimal(0),
        (),
        HoldStatus.RESOLVED,
        None,
        now,
        now,
    )


def _evolved(record: Any, **changes: Any) -> Any:
    return attrs.evolve(record, **changes)


@attrs.frozen
class Sized:
    """One loaded world ready to measure: its confirmable orders, account and mid-period."""

    storage: Storage
    world: OrderWorld
    account_id: str
    orders: list[str]
    middle: datetime
    products: int
    picked: list[int] = attrs.field(factory=lambda: [0])

    def operations(self) -> dict[str, Callable[[], object]]:
        """The measured operations, each a fresh call (confirm takes the next order; pricing,
        reserve and availability take the next five bulk products, spread over the catalog)."""
        accounts, account_id, middle = self.world.accounts, self.account_id, self.middle
        return {
            "confirm": lambda: self.world.orders.confirm(self.orders.pop(), key=new_id()),
            "pricing": lambda: self.world.pricing.resolve_many(
                CUSTOMER, [(p, 1) for p in self._next_products()], currency="CNY"
            ),
            "reserve": lambda: self.world.inventory.reserve(
                new_id(),
                [ReservationRequest(f"l{n}", p, 1) for n, p in enumerate(self._next_products())],
                key=new_id(),
            ),
            "availability": lambda: self.world.inventory.availability(self._next_products()),
            "fund_summaries": lambda: accounts.fund_summaries(account_id),
            "statement": lambda: accounts.statement(account_id, since=middle, limit=50),
        }

    def _next_products(self) -> list[ProductId]:
        """Five bulk products not taken before, spread over the whole catalog."""
        picks = []
        for _ in range(LINES):
            self.picked[0] += 1
            picks.append(ProductId(f"bulk{(self.picked[0] * SPREAD) % self.products:07}"))
        return picks


def prepare(url: str, products: int, entries: int, orders: int) -> Sized:
    """A world on ``url`` loaded with ``products`` and ``entries`` and ``orders`` drafts."""
    storage = open_storage(url)
    world = open_world(storage, stock=((STOCK,) * LINES,), prepayment="0", products=LINES)
    customer = load(world, products, entries)
    account = world.accounts.find_account(customer, "CNY")
    world.accounts.deposit(account.id, Money(Decimal("100000000.00"), "CNY"), key=new_id())
    drafts = [_order_of(world, d, customer) for d in _drafts(world, 1, orders)[0]]
    middle = world.clock.now() - timedelta(seconds=max(1, entries // 2))
    return Sized(storage, world, account.id, drafts, middle, products)


READS_PER_ROUND = 3
"""Calls per round of every operation but confirm (which takes an order each time): a
median of 15 reads of a few milliseconds moved by half between runs on a loaded machine."""


def measure_interleaved(small: Sized, large: Sized, rounds: int) -> tuple[Timings, Timings]:
    """Median seconds per operation of each world, the two measured turn about, call by
    call (so that the machine's load at a moment weighs on both sizes alike)."""
    times: list[dict[str, list[float]]] = [{}, {}]
    for _ in range(rounds):
        pairs = zip(small.operations().items(), large.operations().items(), strict=True)
        for (name, small_action), (_, large_action) in pairs:
            for _ in range(1 if name == "confirm" else READS_PER_ROUND):
                for action, seen in ((small_action, times[0]), (large_action, times[1])):
                    started = time.perf_counter()
                    action()
                    seen.setdefault(name, []).append(time.perf_counter() - started)
    little, big = ({k: statistics.median(v) for k, v in seen.items()} for seen in times)
    return little, big


def _order_of(world: OrderWorld, order_id: str, customer: str) -> str:
    """The draft, moved to ``customer``'s account (so the confirm works on the big ledger)."""
    with world.storage.unit_of_work(world.tenant) as uow:
        order = uow.sales_orders.get(SalesOrderId(order_id))
        uow.sales_orders.update(_evolved(order, account_id=customer))
        uow.commit()
    return order_id


def flat_rows(  # noqa: PLR0917 -- the run's parameters, written out
    small_url: str,
    large_url: str,
    backend: str,
    small: tuple[int, int],
    large: tuple[int, int],
    orders: int,
) -> list[dict[str, Any]]:
    """Rows of large-over-small cost per operation (goal: at most 1.3); each size in its
    own database, the operations of the two measured turn about."""
    worlds = (prepare(small_url, *small, orders), prepare(large_url, *large, orders))
    try:
        little, big = measure_interleaved(*worlds, orders)
    finally:
        for sized in worlds:
            sized.storage.close()
    return [
        {
            "case": f"flat cost {name}",
            "backend": backend,
            "small": {
                "products": small[0],
                "entries": small[1],
                "ms": round(little[name] * 1000, 2),
            },
            "large": {"products": large[0], "entries": large[1], "ms": round(big[name] * 1000, 2)},
            "ratio": round(big[name] / little[name], 3),
            "goal": 1.3,
            "met": big[name] / little[name] <= 1.3,
        }
        for name in little
    ]
