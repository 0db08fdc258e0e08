"""The SQL direct path (statements built once run on the driver's cursor) and the ordinary
path give the same outcome: an order confirmed and delivered on each SQL backend with the
direct path on, and again with it off, leaves the same figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from crmkit.adapters.sql import SqlStorage, direct
from crmkit.domain import new_id
from crmkit.testing.order_support import open_world

SQL_BACKENDS = [
    pytest.param("sqlite_storage", marks=pytest.mark.sqlite),
    pytest.param("postgres_storage", marks=pytest.mark.postgres),
    pytest.param("mariadb_storage", marks=pytest.mark.mariadb),
]


def _order_flow(storage: SqlStorage) -> dict[str, Any]:
    """Confirm and deliver one order on a fresh tenant; what it left, tenant-free."""
    world = open_world(storage)
    draft = world.order("3", "2", "1")
    confirmed = world.orders.confirm(draft.id, key=new_id()).order
    everything = {line.line_no: line.quantity for line in confirmed.lines}
    delivered = world.orders.deliver(confirmed.id, everything, key=new_id()).order
    summaries = world.accounts.fund_summaries(world.account_id)
    stock = world.inventory.availability([p.id for p in world.products])
    return {
        "status": delivered.status,
        "lines": [(line.quantity, line.delivered) for line in delivered.lines],
        "funds": {fund: (s.balance, s.held) for fund, s in summaries.items()},
        "stock": [(a.on_hand, a.reserved) for a in (stock[p.id] for p in world.products)],
    }


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_direct_and_ordinary_paths_agree(
    backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same flow on both paths; the direct one ran statements, the ordinary one none."""
    storage = request.getfixturevalue(backend)
    ran: list[int] = []
    real_run = direct.run

    def counted(*args: Any, **kwargs: Any) -> Any:
        ran.append(1)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(direct, "run", counted)
    on = _order_flow(storage)
    assert direct.SUPPORTED
    assert ran, "the direct path ran no statement"
    ran.clear()
    monkeypatch.setattr(direct, "SUPPORTED", False)
    off = _order_flow(storage)
    assert not ran
    assert on == off
    assert all(delivered == ordered for ordered, delivered in on["lines"])
    assert all(held == Decimal(0) for _, held in on["funds"].values())
