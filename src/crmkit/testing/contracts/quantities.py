"""Contract: quantities come back normalised (``100``, ``2.5``) on every backend.

Stock is stored to four decimals (NUMERIC columns, scaled integers, Decimal128); whatever
a backend hands back, every quantity in a record, a result or an error message reads as
people write it, through :func:`crmkit.domain.quantity.normal_quantity`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from crmkit.adapters.clock import FixedClock
from crmkit.bootstrap import Crm
from crmkit.domain import ProductId, new_id
from crmkit.domain.inventory import InsufficientStock
from crmkit.domain.pricing import PricingCustomer
from crmkit.services import Storage
from crmkit.services.inventory import ReservationRequest
from crmkit.tenant_services import TenantServices
from crmkit.testing.contracts.support import T0
from crmkit.testing.tenants import fresh_tenant


def _normal(number: Decimal) -> bool:
    """No trailing zero after the point and no exponent."""
    _sign, digits, exponent = number.as_tuple()
    return exponent == 0 or (isinstance(exponent, int) and exponent < 0 and digits[-1] != 0)


def _stocked(services: TenantServices) -> tuple[ProductId, str]:
    product = services.catalog.create_product(
        sku="Q-1", name="Bolt", unit="pcs", tax_rate="0.13", category="tools"
    )
    warehouse = services.inventory.create_warehouse(code="WH-Q", name="Main")
    inbound = services.inventory.create_inbound_order(warehouse.id, [(product.id, "100.0000")])
    services.inventory.confirm_inbound_order(inbound.id, key=new_id())
    return product.id, warehouse.id


class QuantityContract:
    """Quantities read back from the storage are normalised, in records and messages."""

    def test_stock_movements_and_reservations_read_back_normalised(self, storage: Storage) -> None:
        """``100.0000`` received and ``2.50`` reserved come back as ``100`` and ``2.5``."""
        services = Crm(storage, FixedClock(T0)).tenant(fresh_tenant())
        product, _warehouse = _stocked(services)
        reserved = services.inventory.reserve(
            "ORD-Q", [ReservationRequest("L1", product, "2.50")], key=new_id()
        )
        [reservation] = reserved.reservations
        note = services.inventory.ship("ORD-Q", [(reservation.id, "0.50")], key=new_id())
        stock = services.inventory.availability([product])[product]
        stored = services.inventory.get_reservation(reservation.id)
        moves = services.inventory.movement_history(product).items
        figures = {
            "on hand": stock.on_hand,
            "reserved": stock.reserved,
            "available": stock.available,
            "warehouse on hand": stock.warehouses[0].on_hand,
            "reservation": stored.quantity,
            "shipped": stored.shipped,
            "note line": note.lines[0].quantity,
            "received": max(move.quantity for move in moves),
            "delivered": min(move.quantity for move in moves),
        }
        assert {name: str(value) for name, value in figures.items()} == {
            "on hand": "99.5",
            "reserved": "2",
            "available": "97.5",
            "warehouse on hand": "99.5",
            "reservation": "2.5",
            "shipped": "0.5",
            "note line": "0.5",
            "received": "100",
            "delivered": "-0.5",
        }
        assert all(_normal(value) for value in figures.values())

    def test_quote_lines_and_errors_show_plain_quantities(self, storage: Storage) -> None:
        """A quote line of ``7.000`` reads ``7``; a shortfall names ``97.5``, not ``97.5000``."""
        services = Crm(storage, FixedClock(T0)).tenant(fresh_tenant())
        product, _warehouse = _stocked(services)
        services.inventory.reserve(
            "ORD-Q", [ReservationRequest("L1", product, "2.5")], key=new_id()
        )
        with pytest.raises(InsufficientStock) as refused:
            services.inventory.reserve(
                "ORD-R", [ReservationRequest("L1", product, "1000.0")], key=new_id()
            )
        assert "1000 requested but only 97.5 available" in str(refused.value)
        price_list = services.pricing.create_price_list(name="List", currency="EUR", priority=1)
        services.pricing.add_entry(price_list.id, product, unit_price="10", min_quantity="5.00")
        buyer = PricingCustomer("CUST-Q", frozenset())
        quote = services.quotes.create_quote(
            buyer, currency="EUR", valid_until=T0.replace(year=2027)
        )
        services.quotes.add_line(quote.id, product, quantity="7.000")
        stored = services.quotes.get_quote(quote.id)
        price = services.pricing.resolve(buyer, product, "6.00", currency="EUR")
        assert [str(stored.lines[0].quantity), str(price.quantity)] == ["7", "6"]
        assert str(price.tier_min_quantity) == "5"
