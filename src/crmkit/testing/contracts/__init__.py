"""Contract suites, one per port, written once and run against every backend.

Subclass each class in a test module that defines a ``storage`` fixture (returning a
:class:`crmkit.services.Storage` whose schema is in place)::

    @pytest.fixture
    def storage() -> Storage:
        return MyStorage(...)

    class TestMyUnitOfWork(UnitOfWorkContract): ...
    class TestMyProducts(ProductRepositoryContract): ...

Set ``max_examples`` on a subclass to bound the hypothesis tests for a slow backend.
"""

from crmkit.testing.contracts.accounts import (
    CustomerAccountLedgerContract,
    CustomerAccountRepositoryContract,
    CustomerAccountServiceContract,
)
from crmkit.testing.contracts.catalog import CatalogServiceContract
from crmkit.testing.contracts.custom_fields import CustomFieldContract, CustomObjectContract
from crmkit.testing.contracts.inventory import (
    InventoryRepositoryContract,
    InventoryServiceContract,
)
from crmkit.testing.contracts.inventory_ledger import InventoryLedgerContract
from crmkit.testing.contracts.orders import OrderServiceContract
from crmkit.testing.contracts.pricing import (
    PriceListRepositoryContract,
    PricingServiceContract,
    QuoteRepositoryContract,
    QuoteServiceContract,
)
from crmkit.testing.contracts.products import ProductRepositoryContract
from crmkit.testing.contracts.records import RecordTypeContract
from crmkit.testing.contracts.requests import ProcessedRequestContract
from crmkit.testing.contracts.tenancy import TenancyContract
from crmkit.testing.contracts.unit_of_work import UnitOfWorkContract

__all__ = [
    "CatalogServiceContract",
    "CustomFieldContract",
    "CustomObjectContract",
    "CustomerAccountLedgerContract",
    "CustomerAccountRepositoryContract",
    "CustomerAccountServiceContract",
    "InventoryLedgerContract",
    "InventoryRepositoryContract",
    "InventoryServiceContract",
    "OrderServiceContract",
    "PriceListRepositoryContract",
    "PricingServiceContract",
    "ProcessedRequestContract",
    "ProductRepositoryContract",
    "QuoteRepositoryContract",
    "QuoteServiceContract",
    "RecordTypeContract",
    "TenancyContract",
    "UnitOfWorkContract",
]
