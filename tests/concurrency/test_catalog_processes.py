"""Several OS processes updating one product: no update is lost on any server."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import attrs
import pytest

from crmkit import open_storage
from crmkit.domain import ProductId, TenantId
from crmkit.services.retry import retrying
from crmkit.testing import fresh_tenant
from crmkit.testing.contracts.support import a_product, all_products, store
from tests.backends import MARIADB_URL, POSTGRES_URL

PROCESSES = 4
INCREMENTS = 10


def increment_many(url: str, tenant: TenantId, product_id: ProductId, times: int) -> None:
    """In a fresh process: add one to the product's counter ``times`` times."""
    storage = open_storage(url)

    def increment() -> None:
        with storage.unit_of_work(tenant) as uow:
            product = uow.products.get(product_id)
            counter = int(product.category or "0")
            uow.products.update(attrs.evolve(product, category=str(counter + 1)))
            uow.commit()

    try:
        for _ in range(times):
            retrying(increment, attempts=50)
    finally:
        storage.close()


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("mongo", marks=pytest.mark.mongo),
    ]
)
def server_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("postgres_storage")  # migrated
        return POSTGRES_URL
    if request.param == "mariadb":
        request.getfixturevalue("mariadb_storage")
        return MARIADB_URL
    storage = request.getfixturevalue("mongo_storage")
    mongo_url: str = request.getfixturevalue("mongo_url")
    return mongo_url.replace("/?", f"/{storage.database.name}?")


class TestParallelProcesses:
    """Optimistic concurrency holds across processes, not only threads."""

    def test_no_increment_is_lost(self, server_url: str) -> None:
        """4 processes x 10 read-modify-write increments end at exactly 40, version 41."""
        tenant = fresh_tenant()
        storage = open_storage(server_url)
        try:
            product = a_product(tenant, category="0")
            store(storage, product)
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
                futures = [
                    pool.submit(increment_many, server_url, tenant, product.id, INCREMENTS)
                    for _ in range(PROCESSES)
                ]
                for future in futures:
                    future.result(timeout=300)
            [final] = all_products(storage, tenant)
        finally:
            storage.close()
        assert final.category == str(PROCESSES * INCREMENTS)
        assert final.version == 1 + PROCESSES * INCREMENTS
