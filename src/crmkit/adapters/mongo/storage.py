"""The MongoDB unit of work and storage."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.database import Database

from crmkit.adapters.mongo.accounts import (
    MongoCustomerAccountRepository,
    MongoDeductionPolicyRepository,
    MongoHoldRepository,
    MongoJournalRepository,
    MongoRebateGrantRepository,
)
from crmkit.adapters.mongo.errors import translated
from crmkit.adapters.mongo.indexes import missing_collections
from crmkit.adapters.mongo.inventory import (
    MongoMovementRepository,
    MongoReservationRepository,
    MongoStockDocumentRepository,
    MongoStockLevelRepository,
)
from crmkit.adapters.mongo.orders import (
    MongoDocumentCounterRepository,
    MongoOutboxConsumerRepository,
    MongoOutboxRepository,
)
from crmkit.adapters.mongo.pricing import (
    MongoPriceListRepository,
    MongoQuoteRepository,
    MongoSalesOrderRepository,
)
from crmkit.adapters.mongo.records import MongoRecordStore
from crmkit.adapters.mongo.requests import MongoProcessedRequestRepository
from crmkit.adapters.mongo.session import MongoSession, require_transaction
from crmkit.adapters.record_ports import RecordProductRepository, RecordWarehouseRepository
from crmkit.adapters.session_uow import SessionUnitOfWork
from crmkit.domain import ConfigurationError, TenantId
from crmkit.domain.inventory.warehouse import WAREHOUSES
from crmkit.domain.product import PRODUCTS
from crmkit.domain.records import RecordType
from crmkit.services.records import RecordStore


class MongoUnitOfWork(SessionUnitOfWork[MongoSession]):
    """One multi-document transaction for one tenant."""

    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        database: Database[dict[str, Any]],
        tenant_id: TenantId,
        session: ClientSession | None = None,
    ) -> None:
        super().__init__(tenant_id)
        self._client = client
        self._database = database
        self._caller_session = session

    def _open(self) -> MongoSession:
        return MongoSession(self._client, self._database, self.tenant_id, self._caller_session)

    def _bind(self, session: MongoSession) -> None:
        self.products = RecordProductRepository(self.records(PRODUCTS), self.tenant_id)
        self.requests = MongoProcessedRequestRepository(session)
        self.warehouses = RecordWarehouseRepository(self.records(WAREHOUSES))
        self.stock_levels = MongoStockLevelRepository(session)
        self.movements = MongoMovementRepository(session)
        self.reservations = MongoReservationRepository(session)
        self.stock_documents = MongoStockDocumentRepository(session)
        self.price_lists = MongoPriceListRepository(session)
        self.quotes = MongoQuoteRepository(session)
        self.sales_orders = MongoSalesOrderRepository(session)
        self.customer_accounts = MongoCustomerAccountRepository(session)
        self.rebate_grants = MongoRebateGrantRepository(session)
        self.holds = MongoHoldRepository(session)
        self.journal = MongoJournalRepository(session)
        self.deduction_policies = MongoDeductionPolicyRepository(session)
        self.counters = MongoDocumentCounterRepository(session)
        self.outbox = MongoOutboxRepository(session)
        self.outbox_consumers = MongoOutboxConsumerRepository(session)

    def _new_record_store(
        self, session: MongoSession, record_type: RecordType[Any]
    ) -> RecordStore[Any]:
        return MongoRecordStore(session, record_type)


class MongoStorage:
    """Storage in a MongoDB database (a replica set: transactions need one).

    With ``session``, a caller's ``ClientSession`` with a transaction begun, every unit of
    work runs inside the caller's transaction and the caller commits or aborts it.
    """

    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        database: str,
        *,
        owns_client: bool = False,
        check_schema: bool = True,
        session: ClientSession | None = None,
    ) -> None:
        self.client = client
        self.session = session
        if session is not None:
            require_transaction(session)
        self.database = client[database]
        self._owns_client = owns_client
        if check_schema:
            with translated():
                missing = missing_collections(self.database)
            if missing:
                raise ConfigurationError(
                    f"MongoDB database {database!r} lacks crmkit's collections "
                    f"{sorted(missing)}; run `crmkit db upgrade URL` or "
                    f"crmkit.adapters.mongo.ensure_indexes(...) first, or open it with "
                    f"upgrade_schema=True.",
                )

    def unit_of_work(self, tenant_id: TenantId) -> MongoUnitOfWork:
        return MongoUnitOfWork(self.client, self.database, tenant_id, self.session)

    def refresh_statistics(self) -> None:
        """Nothing to refresh: MongoDB plans from its indexes, not from statistics."""

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
