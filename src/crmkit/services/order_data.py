"""The data of an order as a keyed command returned it (kept with the request).

An order's lines do not change from one command to the next (a confirm keeps the lines
the draft was created with), and most of an order's data is its lines' (each with its
price resolution). The data of a line is remembered by the line's identity while the
line lives, so a command on an order whose lines this process turned already (the same
objects, as the in-memory storage keeps them) turns only the order's own fields. The data
is the same either way: a line is an immutable record, and its data is only read (made
into JSON text).
"""

from __future__ import annotations

import weakref
from typing import Any

from crmkit.domain.record_data import record_data, to_data
from crmkit.domain.sales_order import SalesOrder, SalesOrderLine

MAX_LINES = 4096
"""How many lines' data are kept at most (all are dropped when it is reached)."""

_LINES: dict[int, tuple[weakref.ref[SalesOrderLine], Any]] = {}


def order_data(order: SalesOrder) -> dict[str, Any]:
    """``to_data(order)``, the data of lines seen before reused (see the module)."""
    return record_data(order, {"lines": [_line_data(line) for line in order.lines]})


def _line_data(line: SalesOrderLine) -> Any:
    kept = _LINES.get(id(line))
    if kept is not None and kept[0]() is line:
        return kept[1]
    data = to_data(line)
    if len(_LINES) >= MAX_LINES:
        _LINES.clear()
    _LINES[id(line)] = (weakref.ref(line), data)
    return data
