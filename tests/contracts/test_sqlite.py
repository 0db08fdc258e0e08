"""The contract suites against the sqlite backend."""

from __future__ import annotations

import pytest

from crmkit.services import Storage
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

pytestmark = pytest.mark.sqlite


@pytest.fixture
def storage(sqlite_storage: Storage) -> Storage:
    return sqlite_storage


class TestSqliteUnitOfWork(UnitOfWorkContract):
    """Unit-of-work contract on sqlite."""


class TestSqliteTenancy(TenancyContract):
    """Tenancy contract on sqlite."""


class TestSqliteProducts(ProductRepositoryContract):
    """Product repository contract on sqlite."""

    max_examples = 60


class TestSqliteCatalog(CatalogServiceContract):
    """Catalog service contract on sqlite."""


class TestSqliteProcessedRequests(ProcessedRequestContract):
    """Processed-request contract on sqlite."""


class TestSqliteInventoryRepositories(InventoryRepositoryContract):
    """Inventory repository contract on sqlite."""

    max_examples = 10


class TestSqliteInventoryService(InventoryServiceContract):
    """Inventory service contract on sqlite."""


class TestSqliteInventoryLedger(InventoryLedgerContract):
    """Inventory ledger state machine on sqlite."""

    stateful_examples = 20
    stateful_steps = 25


class TestSqlitePriceLists(PriceListRepositoryContract):
    """Price list repository contract on sqlite."""

    max_examples = 20


class TestSqliteQuotes(QuoteRepositoryContract):
    """Quote and sales order repository contract on sqlite."""

    max_examples = 20


class TestSqlitePricing(PricingServiceContract):
    """Pricing service contract on sqlite."""


class TestSqliteQuoteService(QuoteServiceContract):
    """Quote service and conversion contract on sqlite."""

    stateful_examples = 20
    stateful_steps = 25


class TestSqliteCustomerAccounts(CustomerAccountRepositoryContract):
    """Customer account repository contract on sqlite."""

    max_examples = 25


class TestSqliteCustomerAccountService(CustomerAccountServiceContract):
    """Customer account service contract on sqlite."""


class TestSqliteCustomerAccountLedger(CustomerAccountLedgerContract):
    """Customer account ledger contract (stateful, concurrent) on sqlite."""

    stateful_examples = 40
    stateful_steps = 30
    writers = 4


class TestSqliteHostileInput(HostileInputContract):
    """Hostile-input contract on SQLite."""


class TestSqliteOrders(OrderServiceContract):
    """Order lifecycle contract on sqlite."""


class TestSqliteOrderLifecycle(OrderLifecycleMachineContract):
    """Order lifecycle state machine on sqlite, against the in-memory reference."""

    stateful_examples = 15
    stateful_steps = 15


class TestSqlitePayments(PaymentServiceContract):
    """Payments received contract on sqlite."""


class TestSqlitePaymentPlans(PaymentPlanContract):
    """Payment plan contract on sqlite."""


class TestSqliteRefunds(RefundContract):
    """Refund contract on sqlite."""


class TestSqliteInvoiceRequests(InvoiceRequestContract):
    """Invoice request contract on sqlite."""


class TestSqliteContracts(ContractContract):
    """Customer contract suite on sqlite."""


class TestSqliteApprovalFlows(ApprovalFlowContract):
    """Approval flow contract on SQLite."""


class TestSqliteQuantities(QuantityContract):
    """Quantities read back normalised on sqlite."""
