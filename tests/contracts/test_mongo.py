"""The contract suites against the mongo backend."""

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
