"""The contract suites on all five backends.

One ``backend`` fixture, parametrised with the backend markers (tests/contracts/conftest.py),
serves every suite; the hypothesis budgets that differ by backend are set here, in one place.
"""

from __future__ import annotations

import pytest

from crmkit.testing.contracts import (
    CatalogServiceContract,
    CustomerAccountLedgerContract,
    CustomerAccountRepositoryContract,
    CustomerAccountServiceContract,
    InventoryLedgerContract,
    InventoryRepositoryContract,
    InventoryServiceContract,
    ProcessedRequestContract,
    ProductRepositoryContract,
    TenancyContract,
    UnitOfWorkContract,
)
from crmkit.testing.contracts.approvals import ApprovalFlowContract
from crmkit.testing.contracts.contracts import ContractContract
from crmkit.testing.contracts.hostile import HostileInputContract
from crmkit.testing.contracts.invoices import InvoiceRequestContract
from crmkit.testing.contracts.order_machine import OrderLifecycleMachineContract
from crmkit.testing.contracts.orders import OrderServiceContract
from crmkit.testing.contracts.payments import PaymentServiceContract
from crmkit.testing.contracts.plans import PaymentPlanContract
from crmkit.testing.contracts.pricing import (
    PriceListRepositoryContract,
    PricingServiceContract,
    QuoteRepositoryContract,
    QuoteServiceContract,
)
from crmkit.testing.contracts.quantities import QuantityContract
from crmkit.testing.contracts.refunds import RefundContract

BUDGETS: dict[type, dict[str, dict[str, int]]] = {
    ProductRepositoryContract: {
        "max_examples": {"memory": 200, "sqlite": 60, "postgres": 60, "mariadb": 60, "mongo": 40},
    },
    InventoryRepositoryContract: {
        "max_examples": {"memory": 30, "sqlite": 10, "postgres": 15, "mariadb": 15, "mongo": 8},
    },
    InventoryLedgerContract: {
        "stateful_examples": {
            "memory": 100,
            "sqlite": 20,
            "postgres": 20,
            "mariadb": 20,
            "mongo": 10,
        },
        "stateful_steps": {"memory": 25, "sqlite": 25, "postgres": 25, "mariadb": 25, "mongo": 20},
    },
    PriceListRepositoryContract: {
        "max_examples": {"memory": 100, "sqlite": 20, "postgres": 20, "mariadb": 20, "mongo": 10},
    },
    QuoteRepositoryContract: {
        "max_examples": {"memory": 100, "sqlite": 20, "postgres": 20, "mariadb": 20, "mongo": 10},
    },
    QuoteServiceContract: {
        "stateful_examples": {
            "memory": 100,
            "sqlite": 20,
            "postgres": 20,
            "mariadb": 20,
            "mongo": 10,
        },
        "stateful_steps": {"memory": 25, "sqlite": 25, "postgres": 25, "mariadb": 25, "mongo": 20},
    },
    CustomerAccountRepositoryContract: {
        "max_examples": {"memory": 200, "sqlite": 25, "postgres": 25, "mariadb": 25, "mongo": 15},
    },
    CustomerAccountLedgerContract: {
        "stateful_examples": {
            "memory": 150,
            "sqlite": 40,
            "postgres": 30,
            "mariadb": 30,
            "mongo": 15,
        },
        "stateful_steps": {"memory": 30, "sqlite": 30, "postgres": 30, "mariadb": 30, "mongo": 25},
        "writers": {"memory": 4, "sqlite": 4, "postgres": 4, "mariadb": 4, "mongo": 3},
    },
    HostileInputContract: {
        "examples_per_call": {"memory": 16},  # about 3,000 cases, as before the front office
    },
    OrderLifecycleMachineContract: {
        "stateful_examples": {
            "memory": 40,
            "sqlite": 15,
            "postgres": 10,
            "mariadb": 10,
            "mongo": 8,
        },
        "stateful_steps": {"memory": 20, "sqlite": 15, "postgres": 15, "mariadb": 15, "mongo": 12},
    },
}
"""Per suite and attribute, its value on each backend (others keep the suite's default)."""


@pytest.fixture(autouse=True)
def budget(backend: str, request: pytest.FixtureRequest) -> None:
    """Give the test's suite its budgets for ``backend``; count hostile cases per backend."""
    suite = request.instance
    for contract in type(suite).__mro__:
        for attribute, values in BUDGETS.get(contract, {}).items():
            if backend in values:
                setattr(suite, attribute, values[backend])
    if isinstance(suite, HostileInputContract):
        suite.suite_name = f"{type(suite).__name__}[{backend}]"


class TestUnitOfWork(UnitOfWorkContract):
    """Unit-of-work contract."""


class TestTenancy(TenancyContract):
    """Tenancy contract."""


class TestProducts(ProductRepositoryContract):
    """Product repository contract."""


class TestCatalog(CatalogServiceContract):
    """Catalog service contract."""


class TestProcessedRequests(ProcessedRequestContract):
    """Processed-request contract."""


class TestInventoryRepositories(InventoryRepositoryContract):
    """Inventory repository contract."""


class TestInventoryService(InventoryServiceContract):
    """Inventory service contract."""


class TestInventoryLedger(InventoryLedgerContract):
    """Inventory ledger state machine."""


class TestPriceLists(PriceListRepositoryContract):
    """Price list repository contract."""


class TestQuotes(QuoteRepositoryContract):
    """Quote and sales order repository contract."""


class TestPricing(PricingServiceContract):
    """Pricing service contract."""


class TestQuoteService(QuoteServiceContract):
    """Quote service and conversion contract."""


class TestCustomerAccounts(CustomerAccountRepositoryContract):
    """Customer account repository contract."""


class TestCustomerAccountService(CustomerAccountServiceContract):
    """Customer account service contract."""


class TestCustomerAccountLedger(CustomerAccountLedgerContract):
    """Customer account ledger contract (stateful, concurrent)."""


class TestHostileInput(HostileInputContract):
    """Hostile-input contract."""


class TestOrders(OrderServiceContract):
    """Order lifecycle contract."""


class TestOrderLifecycle(OrderLifecycleMachineContract):
    """Order lifecycle state machine, against the in-memory reference."""


class TestPayments(PaymentServiceContract):
    """Payments received contract."""


class TestPaymentPlans(PaymentPlanContract):
    """Payment plan contract."""


class TestRefunds(RefundContract):
    """Refund contract."""


class TestInvoiceRequests(InvoiceRequestContract):
    """Invoice request contract."""


class TestContracts(ContractContract):
    """Customer contract suite."""


class TestApprovalFlows(ApprovalFlowContract):
    """Approval flow contract."""


class TestQuantities(QuantityContract):
    """Quantities read back normalised."""
