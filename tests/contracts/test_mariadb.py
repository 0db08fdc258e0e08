"""The contract suites against the mariadb backend."""

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

pytestmark = pytest.mark.mariadb


@pytest.fixture
def storage(mariadb_storage: Storage) -> Storage:
    return mariadb_storage


class TestMariadbUnitOfWork(UnitOfWorkContract):
    """Unit-of-work contract on mariadb."""


class TestMariadbTenancy(TenancyContract):
    """Tenancy contract on mariadb."""


class TestMariadbProducts(ProductRepositoryContract):
    """Product repository contract on mariadb."""

    max_examples = 60


class TestMariadbCatalog(CatalogServiceContract):
    """Catalog service contract on mariadb."""


class TestMariadbProcessedRequests(ProcessedRequestContract):
    """Processed-request contract on mariadb."""


class TestMariadbInventoryRepositories(InventoryRepositoryContract):
    """Inventory repository contract on mariadb."""

    max_examples = 15


class TestMariadbInventoryService(InventoryServiceContract):
    """Inventory service contract on mariadb."""


class TestMariadbInventoryLedger(InventoryLedgerContract):
    """Inventory ledger state machine on mariadb."""

    stateful_examples = 20
    stateful_steps = 25


class TestMariadbPriceLists(PriceListRepositoryContract):
    """Price list repository contract on mariadb."""

    max_examples = 20


class TestMariadbQuotes(QuoteRepositoryContract):
    """Quote and sales order repository contract on mariadb."""

    max_examples = 20


class TestMariadbPricing(PricingServiceContract):
    """Pricing service contract on mariadb."""


class TestMariadbQuoteService(QuoteServiceContract):
    """Quote service and conversion contract on mariadb."""

    stateful_examples = 20
    stateful_steps = 25


class TestMariadbCustomerAccounts(CustomerAccountRepositoryContract):
    """Customer account repository contract on mariadb."""

    max_examples = 25


class TestMariadbCustomerAccountService(CustomerAccountServiceContract):
    """Customer account service contract on mariadb."""


class TestMariadbCustomerAccountLedger(CustomerAccountLedgerContract):
    """Customer account ledger contract (stateful, concurrent) on mariadb."""

    stateful_examples = 30
    stateful_steps = 30
    writers = 4


class TestMariaDBHostileInput(HostileInputContract):
    """Hostile-input contract on MariaDB."""


class TestMariadbOrders(OrderServiceContract):
    """Order lifecycle contract on mariadb."""


class TestMariadbOrderLifecycle(OrderLifecycleMachineContract):
    """Order lifecycle state machine on mariadb, against the in-memory reference."""

    stateful_examples = 10
    stateful_steps = 15


class TestMariadbPayments(PaymentServiceContract):
    """Payments received contract on mariadb."""


class TestMariadbPaymentPlans(PaymentPlanContract):
    """Payment plan contract on mariadb."""


class TestMariadbRefunds(RefundContract):
    """Refund contract on mariadb."""


class TestMariadbInvoiceRequests(InvoiceRequestContract):
    """Invoice request contract on mariadb."""


class TestMariadbContracts(ContractContract):
    """Customer contract suite on mariadb."""


class TestMariadbApprovalFlows(ApprovalFlowContract):
    """Approval flow contract on MariaDB."""


class TestMariaDBQuantities(QuantityContract):
    """Quantities read back normalised on mariadb."""
