"""The contract suites against the postgres backend."""

from __future__ import annotations

import pytest

from crmkit.services import Storage
from crmkit.testing.contracts import (
    CatalogServiceContract,
    CustomerAccountLedgerContract,
    CustomerAccountRepositoryContract,
    CustomerAccountServiceContract,
    ProcessedRequestContract,
    ProductRepositoryContract,
    TenancyContract,
    UnitOfWorkContract,
)

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
