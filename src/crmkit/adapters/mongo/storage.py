"""The MongoDB unit of work and storage."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from pymongo import MongoClient
from pymongo.database import Database

from crmkit.adapters.mongo.accounts import (
    MongoCustomerAccountRepository,
    MongoDeductionPolicyRepository,
    MongoHoldRepository,
    MongoJournalRepository,
    MongoRebateGrantRepository,
)
from crmkit.adapters.mongo.indexes import missing_collections
from crmkit.adapters.mongo.inventory import (
    MongoMovementRepository,
    MongoReservationRepository,
    MongoStockDocumentRepository,
    MongoStockLevelRepository,
    MongoWarehouseRepository,
)
from crmkit.adapters.mongo.pricing import (
    MongoPriceListRepository,
    MongoQuoteRepository,
    MongoSalesOrderRepository,
)
from crmkit.adapters.mongo.products import MongoProductRepository
from crmkit.adapters.mongo.requests import MongoProcessedRequestRepository
from crmkit.adapters.mongo.session import MongoSession
from crmkit.domain import ConfigurationError, TenantId


class MongoUnitOfWork:
    """One multi-document transaction for one tenant."""

    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        database: Database[dict[str, Any]],
        tenant_id: TenantId,
    ) -> None:
        self.tenant_id = tenant_id
        self._client = client
        self._database = database
        self._session: MongoSession | None = None

    def __enter__(self) -> Self:
        self._session = MongoSession(self._client, self._database, self.tenant_id)
        self.products = MongoProductRepository(self._session)
        self.requests = MongoProcessedRequestRepository(self._session)
        self.warehouses = MongoWarehouseRepository(self._session)
        self.stock_levels = MongoStockLevelRepository(self._session)
        self.movements = MongoMovementRepository(self._session)
        self.reservations = MongoReservationRepository(self._session)
        self.stock_documents = MongoStockDocumentRepository(self._session)
        self.price_lists = MongoPriceListRepository(self._session)
        self.quotes = MongoQuoteRepository(self._session)
        self.sales_orders = MongoSalesOrderRepository(self._session)
        self.customer_accounts = MongoCustomerAccountRepository(self._session)
        self.rebate_grants = MongoRebateGrantRepository(self._session)
        self.holds = MongoHoldRepository(self._session)
        self.journal = MongoJournalRepository(self._session)
        self.deduction_policies = MongoDeductionPolicyRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        self._active().commit()

    def rollback(self) -> None:
        self._active().rollback()

    def _active(self) -> MongoSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._session


class MongoStorage:
    """Storage in a MongoDB database (a replica set: transactions need one)."""

    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        database: str,
        *,
        owns_client: bool = False,
        check_schema: bool = True,
    ) -> None:
        self.client = client
        self.database = client[database]
        self._owns_client = owns_client
        if check_schema:
            missing = missing_collections(self.database)
            if missing:
                raise ConfigurationError(
                    f"MongoDB database {database!r} lacks crmkit's collections "
                    f"{sorted(missing)}; run `crmkit db upgrade URL` or "
                    f"crmkit.adapters.mongo.ensure_indexes(...) first, or open it with "
                    f"upgrade_schema=True.",
                )

    def unit_of_work(self, tenant_id: TenantId) -> MongoUnitOfWork:
        return MongoUnitOfWork(self.client, self.database, tenant_id)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
