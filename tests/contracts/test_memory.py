"""The contract suites against the memory backend."""

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

pytestmark = pytest.mark.memory


@pytest.fixture
def storage(memory_storage: Storage) -> Storage:
    return memory_storage


class TestMemoryUnitOfWork(UnitOfWorkContract):
    """Unit-of-work contract on memory."""


class TestMemoryTenancy(TenancyContract):
    """Tenancy contract on memory."""


class TestMemoryProducts(ProductRepositoryContract):
    """Product repository contract on memory."""

    max_examples = 200


class TestMemoryCatalog(CatalogServiceContract):
    """Catalog service contract on memory."""


class TestMemoryProcessedRequests(ProcessedRequestContract):
    """Processed-request contract on memory."""


class TestMemoryInventoryRepositories(InventoryRepositoryContract):
    """Inventory repository contract on memory."""

    max_examples = 30


class TestMemoryInventoryService(InventoryServiceContract):
    """Inventory service contract on memory."""


class TestMemoryInventoryLedger(InventoryLedgerContract):
    """Inventory ledger state machine on memory."""

    stateful_examples = 100
    stateful_steps = 25


class TestMemoryPriceLists(PriceListRepositoryContract):
    """Price list repository contract on memory."""

    max_examples = 100


class TestMemoryQuotes(QuoteRepositoryContract):
    """Quote and sales order repository contract on memory."""

    max_examples = 100


class TestMemoryPricing(PricingServiceContract):
    """Pricing service contract on memory."""


class TestMemoryQuoteService(QuoteServiceContract):
    """Quote service and conversion contract on memory."""

    stateful_examples = 100
    stateful_steps = 25


class TestMemoryCustomerAccounts(CustomerAccountRepositoryContract):
    """Customer account repository contract on memory."""

    max_examples = 200


class TestMemoryCustomerAccountService(CustomerAccountServiceContract):
    """Customer account service contract on memory."""


class TestMemoryCustomerAccountLedger(CustomerAccountLedgerContract):
    """Customer account ledger contract (stateful, concurrent) on memory."""

    stateful_examples = 150
    stateful_steps = 30
    writers = 4


class TestMemoryHostileInput(HostileInputContract):
    """Hostile-input contract on memory."""

    examples_per_call = 16  # about 3,000 cases, as many as before the front office joined


class TestMemoryOrders(OrderServiceContract):
    """Order lifecycle contract on memory."""


class TestMemoryOrderLifecycle(OrderLifecycleMachineContract):
    """Order lifecycle state machine on memory, against the in-memory reference."""

    stateful_examples = 40
    stateful_steps = 20


class TestMemoryPayments(PaymentServiceContract):
    """Payments received contract on memory."""


class TestMemoryPaymentPlans(PaymentPlanContract):
    """Payment plan contract on memory."""


class TestMemoryRefunds(RefundContract):
    """Refund contract on memory."""


class TestMemoryInvoiceRequests(InvoiceRequestContract):
    """Invoice request contract on memory."""


class TestMemoryContracts(ContractContract):
    """Customer contract suite on memory."""


class TestMemoryApprovalFlows(ApprovalFlowContract):
    """Approval flow contract on memory."""


class TestMemoryQuantities(QuantityContract):
    """Quantities read back normalised on memory."""
