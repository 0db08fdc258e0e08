"""The contract suites against the mongo backend."""

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

pytestmark = pytest.mark.mongo


@pytest.fixture
def storage(mongo_storage: Storage) -> Storage:
    return mongo_storage


class TestMongoUnitOfWork(UnitOfWorkContract):
    """Unit-of-work contract on mongo."""


class TestMongoTenancy(TenancyContract):
    """Tenancy contract on mongo."""


class TestMongoProducts(ProductRepositoryContract):
    """Product repository contract on mongo."""

    max_examples = 40


class TestMongoCatalog(CatalogServiceContract):
    """Catalog service contract on mongo."""


class TestMongoProcessedRequests(ProcessedRequestContract):
    """Processed-request contract on mongo."""


class TestMongoInventoryRepositories(InventoryRepositoryContract):
    """Inventory repository contract on mongo."""

    max_examples = 8


class TestMongoInventoryService(InventoryServiceContract):
    """Inventory service contract on mongo."""


class TestMongoInventoryLedger(InventoryLedgerContract):
    """Inventory ledger state machine on mongo."""

    stateful_examples = 10
    stateful_steps = 20


class TestMongoPriceLists(PriceListRepositoryContract):
    """Price list repository contract on mongo."""

    max_examples = 10


class TestMongoQuotes(QuoteRepositoryContract):
    """Quote and sales order repository contract on mongo."""

    max_examples = 10


class TestMongoPricing(PricingServiceContract):
    """Pricing service contract on mongo."""


class TestMongoQuoteService(QuoteServiceContract):
    """Quote service and conversion contract on mongo."""

    stateful_examples = 10
    stateful_steps = 20


class TestMongoCustomerAccounts(CustomerAccountRepositoryContract):
    """Customer account repository contract on mongo."""

    max_examples = 15


class TestMongoCustomerAccountService(CustomerAccountServiceContract):
    """Customer account service contract on mongo."""


class TestMongoCustomerAccountLedger(CustomerAccountLedgerContract):
    """Customer account ledger contract (stateful, concurrent) on mongo."""

    stateful_examples = 15
    stateful_steps = 25
    writers = 3


class TestMongoHostileInput(HostileInputContract):
    """Hostile-input contract on Mongo."""


class TestMongoOrders(OrderServiceContract):
    """Order lifecycle contract on mongo."""


class TestMongoOrderLifecycle(OrderLifecycleMachineContract):
    """Order lifecycle state machine on mongo, against the in-memory reference."""

    stateful_examples = 8
    stateful_steps = 12


class TestMongoPayments(PaymentServiceContract):
    """Payments received contract on mongo."""


class TestMongoPaymentPlans(PaymentPlanContract):
    """Payment plan contract on mongo."""


class TestMongoRefunds(RefundContract):
    """Refund contract on mongo."""


class TestMongoInvoiceRequests(InvoiceRequestContract):
    """Invoice request contract on mongo."""


class TestMongoContracts(ContractContract):
    """Customer contract suite on mongo."""


class TestMongoApprovalFlows(ApprovalFlowContract):
    """Approval flow contract on MongoDB."""


class TestMongoQuantities(QuantityContract):
    """Quantities read back normalised on mongo."""
