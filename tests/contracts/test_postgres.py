"""The contract suites against the postgres backend."""

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

pytestmark = pytest.mark.postgres


@pytest.fixture
def storage(postgres_storage: Storage) -> Storage:
    return postgres_storage


class TestPostgresUnitOfWork(UnitOfWorkContract):
    """Unit-of-work contract on postgres."""


class TestPostgresTenancy(TenancyContract):
    """Tenancy contract on postgres."""


class TestPostgresProducts(ProductRepositoryContract):
    """Product repository contract on postgres."""

    max_examples = 60


class TestPostgresCatalog(CatalogServiceContract):
    """Catalog service contract on postgres."""


class TestPostgresProcessedRequests(ProcessedRequestContract):
    """Processed-request contract on postgres."""


class TestPostgresInventoryRepositories(InventoryRepositoryContract):
    """Inventory repository contract on postgres."""

    max_examples = 15


class TestPostgresInventoryService(InventoryServiceContract):
    """Inventory service contract on postgres."""


class TestPostgresInventoryLedger(InventoryLedgerContract):
    """Inventory ledger state machine on postgres."""

    stateful_examples = 20
    stateful_steps = 25


class TestPostgresPriceLists(PriceListRepositoryContract):
    """Price list repository contract on postgres."""

    max_examples = 20


class TestPostgresQuotes(QuoteRepositoryContract):
    """Quote and sales order repository contract on postgres."""

    max_examples = 20


class TestPostgresPricing(PricingServiceContract):
    """Pricing service contract on postgres."""


class TestPostgresQuoteService(QuoteServiceContract):
    """Quote service and conversion contract on postgres."""

    stateful_examples = 20
    stateful_steps = 25


class TestPostgresCustomerAccounts(CustomerAccountRepositoryContract):
    """Customer account repository contract on postgres."""

    max_examples = 25


class TestPostgresCustomerAccountService(CustomerAccountServiceContract):
    """Customer account service contract on postgres."""


class TestPostgresCustomerAccountLedger(CustomerAccountLedgerContract):
    """Customer account ledger contract (stateful, concurrent) on postgres."""

    stateful_examples = 30
    stateful_steps = 30
    writers = 4


class TestPostgresHostileInput(HostileInputContract):
    """Hostile-input contract on Postgres."""


class TestPostgresOrders(OrderServiceContract):
    """Order lifecycle contract on postgres."""


class TestPostgresOrderLifecycle(OrderLifecycleMachineContract):
    """Order lifecycle state machine on postgres, against the in-memory reference."""

    stateful_examples = 10
    stateful_steps = 15


class TestPostgresPayments(PaymentServiceContract):
    """Payments received contract on postgres."""


class TestPostgresPaymentPlans(PaymentPlanContract):
    """Payment plan contract on postgres."""


class TestPostgresRefunds(RefundContract):
    """Refund contract on postgres."""


class TestPostgresInvoiceRequests(InvoiceRequestContract):
    """Invoice request contract on postgres."""


class TestPostgresContracts(ContractContract):
    """Customer contract suite on postgres."""


class TestPostgresApprovalFlows(ApprovalFlowContract):
    """Approval flow contract on PostgreSQL."""


class TestPostgresQuantities(QuantityContract):
    """Quantities read back normalised on postgres."""
