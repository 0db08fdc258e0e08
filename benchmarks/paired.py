"""crmkit's command and the hand-written one in turn, batch by batch, in one process.

The goal rows of ``benchmarks.run`` time crmkit's confirm (or delivery) of 200 orders,
then the hand-written one a minute later: a change of the machine's load between the two
moves a round's ratio by a third. Here each side runs ``BATCH`` orders in turn until both
have run all of theirs, each on its own customer of one fresh tenant (crmkit through the
storage that set the tenant up, the hand-written command on one psycopg connection kept
open, so that both keep their prepared statements), garbage collected before each turn,
and the ratio is the hand-written side's time over crmkit's, each summed over its
commands alone. Unlike the goal rows, a client's start (connecting, compiling and
preparing its statements) is not timed. What is written is checked as in
``benchmarks.run``.
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Callable

import psycopg

from benchmarks.orders_bench import LINES, STOCK, _drafts, _timed, confirm_all
from benchmarks.psycopg_baseline import _confirm, _conninfo
from benchmarks.psycopg_deliver import _deliver
from crmkit import open_storage
from crmkit.testing.order_support import open_world

BATCH = 20
"""Orders a side runs before the other's turn."""


def paired_ratio(url: str, case: str, orders: int, check: Callable[..., None]) -> float:
    """crmkit's rate over the hand-written one for ``case`` (``confirm`` or ``deliver``),
    ``orders`` each, in turns of :data:`BATCH`; ``check`` (``benchmarks.run.check``) is
    run on what both wrote."""
    storage = open_storage(url)
    try:
        world = open_world(storage, stock=((STOCK,) * LINES,), prepayment="0", products=LINES)
        mine, theirs = _drafts(world, 2, orders)
        tenant = world.tenant
        if case == "deliver":
            confirm_all(storage, tenant, mine + theirs)
        spent_mine = spent_theirs = 0.0
        with psycopg.connect(_conninfo(url)) as connection:
            for start in range(0, orders, BATCH):
                gc.collect()  # each turn starts clean: a side pays for its own garbage
                spent_mine += sum(_timed(storage, tenant, mine[start : start + BATCH], case))
                gc.collect()
                for order_id in theirs[start : start + BATCH]:
                    started = time.perf_counter()
                    _by_hand(connection, case, tenant, order_id)
                    spent_theirs += time.perf_counter() - started
        check(storage, tenant, mine + theirs, [p.id for p in world.products])
    finally:
        storage.close()
    return spent_theirs / spent_mine


def _by_hand(
    connection: psycopg.Connection[tuple[object, ...]], case: str, tenant: str, order_id: str
) -> None:
    """One hand-written command, as ``baseline_confirm`` or ``baseline_deliver`` runs it."""
    if case == "confirm":
        _confirm(connection, tenant, order_id, uuid.uuid4().hex)
        return
    with connection.transaction(), connection.cursor() as cur:
        _deliver(cur, tenant, order_id, uuid.uuid4().hex)
