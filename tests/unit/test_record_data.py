"""Domain records to JSON-ready data and back (the order a keyed command returned)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from crmkit import open_storage
from crmkit.domain.record_data import from_data, to_data
from crmkit.domain.sales_order import SalesOrder
from crmkit.services.order_data import result_text
from crmkit.testing.order_support import open_world


@attrs.frozen
class _Odd:
    value: complex


class TestRecordData:
    """Records survive the trip through JSON exactly."""

    def test_an_order_at_each_step_comes_back_equal(self) -> None:
        """Draft, confirmed and partly delivered orders (lines, explanations, documents)."""
        storage = open_storage("memory://")
        world = open_world(storage)
        draft = world.order(2, 1)
        confirmed = world.orders.confirm(draft.id, key="c").order
        delivered = world.orders.deliver(draft.id, {1: 1}, key="d").order
        for order in (draft, confirmed, delivered):
            assert from_data(json.loads(json.dumps(to_data(order))), SalesOrder) == order

    def test_a_commands_result_text_is_json_dumps_of_its_data(self) -> None:
        """The text kept with a request, built from remembered line texts, is exactly
        ``json.dumps`` of the result's data, whether its lines were seen before or not."""
        storage = open_storage("memory://")
        world = open_world(storage)
        draft = world.order(2, 1)
        confirmed = world.orders.confirm(draft.id, key="c").order
        delivered = world.orders.deliver(draft.id, {1: 1}, key="d").order
        rebuilt = from_data(to_data(confirmed), SalesOrder)  # new line objects
        for order in (draft, confirmed, delivered, rebuilt, confirmed):
            for positions in ([], [7], [3, 4, 5]):
                data = {"order": order.id, "positions": positions, "as_returned": to_data(order)}
                assert result_text(order, positions) == json.dumps(data)

    def test_decimals_and_times_stay_exact(self) -> None:
        """A decimal keeps its digits, a time its offset."""
        assert to_data(Decimal("19.9900")) == "19.9900"
        moment = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
        assert to_data(moment) == "2026-01-02T03:04:05.006000+00:00"

    def test_a_value_records_do_not_hold_is_refused(self) -> None:
        """Nothing is turned into data silently."""
        with pytest.raises(TypeError):
            to_data(_Odd(1j))
        with pytest.raises(TypeError):
            from_data({"value": "1j"}, _Odd)
