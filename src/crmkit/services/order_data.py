"""The order as a keyed command returned it, as JSON text (kept with the request).

An order's lines do not change from one command to the next (a confirm keeps the lines
the draft was created with), and most of an order's text is its lines' (each with its
price resolution). The JSON text of a line is remembered by the line's identity while
the line lives, so a command on an order whose lines this process turned already (the
same objects, as the in-memory storage keeps them) turns only the order's own fields.
The text is the same either way, character for character ``json.dumps`` of
``to_data(order)``: a line is an immutable record, and its text is only read.
"""

from __future__ import annotations

import json
import weakref

from crmkit.domain.record_data import data_around, to_data
from crmkit.domain.sales_order import SalesOrder, SalesOrderLine

MAX_LINES = 4096
"""How many lines' texts are kept at most (all are dropped when it is reached)."""

_LINES: dict[int, tuple[weakref.ref[SalesOrderLine], str]] = {}
_DUMPS = json.JSONEncoder(check_circular=False).encode
"""``json.dumps`` with its default separators (plain data, made here: no cycles)."""


def result_text(order: SalesOrder, positions: list[int]) -> str:
    """``json.dumps`` of a keyed order command's result: the order's id, the positions of
    the events it wrote, and the order as it returned it."""
    return (
        f'{{"order": {_DUMPS(order.id)}, "positions": {_DUMPS(positions)}, '
        f'"as_returned": {order_text(order)}}}'
    )


def order_text(order: SalesOrder) -> str:
    """``json.dumps(to_data(order))``, the texts of lines seen before reused (see the
    module)."""
    before, after = data_around(order, "lines")
    lines = "[" + ", ".join([_line_text(line) for line in order.lines]) + "]"
    fields = [_DUMPS(before)[1:-1]] if before else []
    fields.append('"lines": ' + lines)
    if after:
        fields.append(_DUMPS(after)[1:-1])
    return "{" + ", ".join(fields) + "}"


def _line_text(line: SalesOrderLine) -> str:
    kept = _LINES.get(id(line))
    if kept is not None and kept[0]() is line:
        return kept[1]
    text = _DUMPS(to_data(line))
    if len(_LINES) >= MAX_LINES:
        _LINES.clear()
    _LINES[id(line)] = (weakref.ref(line), text)
    return text
