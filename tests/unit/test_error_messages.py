"""Errors name records as users know them, with quantities as people write them."""

from __future__ import annotations

import pickle
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from crmkit import Money, WrongTenant, open_crm
from crmkit.accounts import AmountExceedsHold, DeductionPolicy, InsufficientFunds, OrderLine
from crmkit.errors import DuplicateRecord
from crmkit.inventory import InsufficientStock, OverShipment, ReservationRequest
from crmkit.pricing import NoPriceFound, PricingCustomer


@pytest.mark.memory
class TestErrorsNameRecords:
    """SKU, customer code and plain numbers instead of uuids and padded decimals."""

    def test_insufficient_stock_names_the_sku_and_plain_quantities(self) -> None:
        """'SKU TEA-01 ... 100 requested but only 40 available', field 'quantity'."""
        shop = open_crm("memory://").tenant("acme")
        tea = shop.catalog.create_product(sku="TEA-01", name="Tea", unit="tin", tax_rate="0")
        warehouse = shop.inventory.create_warehouse(code="SH", name="SH", priority=1)
        inbound = shop.inventory.create_inbound_order(warehouse.id, [(tea.id, 40)])
        shop.inventory.confirm_inbound_order(inbound.id, key="in-1")
        with pytest.raises(InsufficientStock) as refused:
            shop.inventory.reserve("SO-1", [ReservationRequest("1", tea.id, 100)], key="r-1")
        assert "SKU 'TEA-01'" in refused.value.message
        assert "100 requested but only 40 available" in refused.value.message
        assert tea.id not in refused.value.message
        assert refused.value.field == "quantity"

    def test_no_price_names_the_sku(self) -> None:
        """No applicable list: the SKU and the customer's code, not the product uuid."""
        shop = open_crm("memory://").tenant("acme")
        tea = shop.catalog.create_product(sku="TEA-01", name="Tea", unit="tin", tax_rate="0")
        with pytest.raises(NoPriceFound) as refused:
            shop.pricing.resolve(PricingCustomer("DEALER-17"), tea.id, 12, currency="CNY")
        assert "SKU 'TEA-01'" in refused.value.message
        assert "customer 'DEALER-17', quantity 12," in refused.value.message
        assert tea.id not in refused.value.message

    def test_insufficient_funds_names_the_customer_and_reads_plainly(self) -> None:
        """A capped rebate is explained as capped, not as 'rebate short'."""
        crm = open_crm("memory://")
        shop = crm.tenant("acme")
        account = shop.accounts.open_account("DEALER-17", "CNY")
        shop.accounts.deposit(account.id, Money("100.00", "CNY"), key="d-1")
        shop.accounts.grant_rebate(
            account.id, Money("800.00", "CNY"), key="g-1",
            expires_at=crm.clock.now() + timedelta(days=9),
        )  # fmt: skip
        shop.accounts.set_account_policy(
            account.id, DeductionPolicy(rebate_max_percent="10", allow_credit=False)
        )
        amount = Money("2000.00", "CNY")
        with pytest.raises(InsufficientFunds) as refused:
            shop.accounts.place_holds(
                account.id, "SO-9", amount, [OrderLine("p", None, amount)], key="h-1"
            )
        message = refused.value.message
        assert message.startswith("the account of customer 'DEALER-17' cannot pay")
        assert "capped at 10% of the order = 200.00" in message
        assert "short" not in message
        assert account.id not in message
        assert refused.value.field == "amount"


@pytest.mark.memory
class TestWrongTenant:
    """What docs/index.md promises for another tenant's record."""

    def test_another_tenants_record_handed_to_an_update_is_wrong_tenant(self) -> None:
        """update() with a record of tenant a in a unit of work of tenant b: WrongTenant."""
        crm = open_crm("memory://")
        product = crm.tenant("a").catalog.create_product(
            sku="X", name="x", unit="pcs", tax_rate="0"
        )
        with crm.unit_of_work("b") as uow, pytest.raises(WrongTenant):
            uow.products.update(attrs.evolve(product, name="y"))
        assert crm.tenant("a").catalog.get_product(product.id) == product


class TestErrorFields:
    """Errors about one argument name it in ``field``."""

    def test_limits_and_duplicates_name_their_field(self) -> None:
        """Over-shipping names ``lines``, a taken code ``code``, a hold overdrawn ``amount``."""
        shipped = OverShipment("r1", Decimal("2"), Decimal("1"))
        taken = DuplicateRecord("Warehouse", "code", "WH-1", "t1")
        held = AmountExceedsHold("h1", "post", Decimal("5"), Decimal("1"))
        assert (shipped.field, taken.field, held.field) == ("lines", "code", "amount")
        assert pickle.loads(pickle.dumps(shipped)).field == "lines"
        assert DuplicateRecord("Account", "customer and currency", "x", "t1").field is None
