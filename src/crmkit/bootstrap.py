"""The composition root: turn a storage target into crmkit's services.

This is the one module that imports adapters. Drivers are imported only for the backend
the caller picks, and nothing is created until :func:`open_crm` is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import attrs

from crmkit.domain import ConfigurationError, TenantId, tenant_id
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.outbox import NumberPatterns
from crmkit.domain.pricing import PricingPolicy
from crmkit.services import CatalogService, Clock, Storage, UnitOfWork
from crmkit.services.accounts import CustomerAccountService
from crmkit.services.inventory import InventoryService
from crmkit.services.order_reads import OutboxService
from crmkit.services.orders import OrderService
from crmkit.services.pricing import PricingService
from crmkit.services.quotes import QuoteService

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

DEFAULT_MONGO_DATABASE = "crmkit"


def open_storage(target: object, *, upgrade_schema: bool = False) -> Storage:
    """The storage behind ``target``.

    ``target`` is a URL (``memory://``, ``sqlite:///crm.db``, ``postgresql+psycopg://...``,
    ``mysql+pymysql://...``, ``mongodb://host/dbname``), a SQLAlchemy ``Engine`` or
    ``Connection``, a pymongo ``MongoClient`` or ``Database``, or a ready :class:`Storage`.
    With ``upgrade_schema`` the database's tables or collections are created or upgraded
    first; without it, a database that needs upgrading is refused.

    Raises:
        ConfigurationError: the target is not supported, its extra is not installed, or
            the database needs a schema upgrade.
    """
    if isinstance(target, str):
        return _open_url(target, upgrade_schema)
    module = type(target).__module__
    if module.startswith("sqlalchemy"):
        return _open_sql(target, owns_engine=False, upgrade_schema=upgrade_schema)
    if module.startswith("pymongo"):
        return _open_mongo_object(target, upgrade_schema)
    if hasattr(target, "unit_of_work") and hasattr(target, "close"):
        return target  # a user's own Storage, duck-typed
    raise ConfigurationError(
        f"cannot open storage from {type(target).__name__}; pass a URL, a SQLAlchemy engine "
        f"or connection, a pymongo client or database, or a Storage.",
    )


def _open_url(url: str, upgrade_schema: bool) -> Storage:
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from crmkit.adapters.memory import InMemoryStorage

        return InMemoryStorage()
    if scheme in {"mongodb", "mongodb+srv"}:
        pymongo = _require("pymongo", "mongo")
        from pymongo.uri_parser import parse_uri

        database = parse_uri(url).get("database") or DEFAULT_MONGO_DATABASE
        client: Any = pymongo.MongoClient(url, tz_aware=True)
        return _mongo_storage(client, database, owns_client=True, upgrade_schema=upgrade_schema)
    _require("sqlalchemy", "sql")
    from crmkit.adapters.sql import create_crmkit_engine

    engine = create_crmkit_engine(url)
    try:
        return _open_sql(engine, owns_engine=True, upgrade_schema=upgrade_schema)
    except BaseException:
        engine.dispose()
        raise


def _open_sql(source: Any, *, owns_engine: bool, upgrade_schema: bool) -> Storage:
    from sqlalchemy import Connection, Engine

    from crmkit.adapters.sql import SqlStorage, upgrade_database

    if not isinstance(source, Engine | Connection):
        raise ConfigurationError(
            f"a SQLAlchemy {type(source).__name__} is not an Engine or a Connection."
        )
    if upgrade_schema:
        upgrade_database(source)
    return SqlStorage(source, owns_engine=owns_engine)


def _open_mongo_object(target: Any, upgrade_schema: bool) -> Storage:
    from pymongo import MongoClient
    from pymongo.database import Database

    if isinstance(target, Database):
        return _mongo_storage(target.client, target.name, False, upgrade_schema)
    if isinstance(target, MongoClient):
        database = target.get_default_database(DEFAULT_MONGO_DATABASE).name
        return _mongo_storage(target, database, False, upgrade_schema)
    raise ConfigurationError(f"a pymongo {type(target).__name__} is not a client or database.")


def _mongo_storage(client: Any, database: str, owns_client: bool, upgrade_schema: bool) -> Storage:
    from crmkit.adapters.mongo import MongoStorage, ensure_indexes

    try:
        if upgrade_schema:
            ensure_indexes(client[database])
        return MongoStorage(client, database, owns_client=owns_client)
    except BaseException:
        if owns_client:
            client.close()
        raise


def _require(module: str, extra: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise ConfigurationError(
            f"this storage needs {module}; install it with `pip install 'crmkit[{extra}]'`."
        ) from None


@attrs.frozen
class TenantServices:
    """crmkit's services bound to one tenant."""

    tenant_id: TenantId
    catalog: CatalogService
    pricing: PricingService
    quotes: QuoteService
    inventory: InventoryService
    accounts: CustomerAccountService
    orders: OrderService
    outbox: OutboxService


class Crm:
    """crmkit bound to a storage and a clock. Use :meth:`tenant` to reach the services."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        pricing_policies: Mapping[str, PricingPolicy] | None = None,
        *,
        number_patterns: Mapping[str, NumberPatterns] | None = None,
        approval_rules: Mapping[str, ApprovalRule] | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.pricing_policies = dict(pricing_policies or {})
        """Each tenant's pricing policy (resolution mode, rounding, approval threshold)."""
        self.number_patterns = dict(number_patterns or {})
        """Each tenant's document number patterns (``SO-{year}-{n:06d}`` by default)."""
        self.approval_rules = dict(approval_rules or {})
        """Each tenant's order approval rule (none by default)."""

    def tenant(self, tenant: str) -> TenantServices:
        """The services of ``tenant``; every call they make stays inside that tenant."""
        bound = tenant_id(tenant)

        def unit_of_work() -> UnitOfWork:
            return self.storage.unit_of_work(bound)

        policy = self.pricing_policies.get(bound, PricingPolicy())
        numbers = self.number_patterns.get(bound, NumberPatterns())
        return TenantServices(
            tenant_id=bound,
            catalog=CatalogService(unit_of_work, self.clock),
            pricing=PricingService(unit_of_work, self.clock, policy),
            quotes=QuoteService(unit_of_work, self.clock, policy, numbers),
            inventory=InventoryService(unit_of_work, self.clock),
            accounts=CustomerAccountService(unit_of_work, self.clock),
            orders=OrderService(
                unit_of_work,
                self.clock,
                pricing_policy=policy,
                approval=self.approval_rules.get(bound),
                numbers=numbers,
            ),
            outbox=OutboxService(unit_of_work, self.clock),
        )

    def unit_of_work(self, tenant: str) -> UnitOfWork:
        """A unit of work of ``tenant``, for callers composing their own transactions."""
        return self.storage.unit_of_work(tenant_id(tenant))

    def close(self) -> None:
        """Release the connections crmkit opened itself."""
        self.storage.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_crm(
    target: str | Engine | Connection | object,
    *,
    clock: Clock | None = None,
    upgrade_schema: bool = False,
    pricing_policies: Mapping[str, PricingPolicy] | None = None,
    number_patterns: Mapping[str, NumberPatterns] | None = None,
    approval_rules: Mapping[str, ApprovalRule] | None = None,
) -> Crm:
    """crmkit's services over the storage ``target`` (see :func:`open_storage`).

    ``pricing_policies`` chooses each tenant's pricing policy by tenant id (strict priority
    or best price, rounding rule, discount approval threshold); others get the default.
    ``number_patterns`` and ``approval_rules`` set each tenant's document numbers and
    order approval rule the same way.

    Raises:
        ConfigurationError: as for :func:`open_storage`.
    """
    if clock is None:
        from crmkit.adapters.clock import SystemClock

        clock = SystemClock()
    return Crm(
        open_storage(target, upgrade_schema=upgrade_schema),
        clock,
        pricing_policies,
        number_patterns=number_patterns,
        approval_rules=approval_rules,
    )
