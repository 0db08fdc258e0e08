"""The composition root: turn a storage target into crmkit's services.

This is the one module that imports adapters. Drivers are imported only for the backend
the caller picks, and nothing is created until :func:`open_crm` is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from crmkit.domain import (
    ConfigurationError,
    StorageError,
    StorageUnavailable,
    tenant_id,
)
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.outbox import NumberPatterns
from crmkit.domain.pricing import PricingPolicy
from crmkit.services import CatalogService, Clock, Storage, UnitOfWork
from crmkit.services.accounts import CustomerAccountService
from crmkit.services.approvals import ApprovalService
from crmkit.services.custom_fields import CustomFieldService
from crmkit.services.field_work.visits import VisitService
from crmkit.services.field_work.work_orders import WorkOrderService
from crmkit.services.front_office.activity import ActivityService
from crmkit.services.front_office.customers import CustomerService
from crmkit.services.front_office.leads import LeadService
from crmkit.services.front_office.opportunities import OpportunityService
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.front_office.pools import PoolService
from crmkit.services.front_office.quoting import CustomerFunds, CustomerQuotes
from crmkit.services.inventory import InventoryService
from crmkit.services.order_reads import OutboxService
from crmkit.services.orders import OrderService
from crmkit.services.pricing import PricingService
from crmkit.services.processes import ProcessService
from crmkit.services.quotes import QuoteService
from crmkit.services.receivables.contracts import ContractService
from crmkit.services.receivables.invoices import InvoiceService
from crmkit.services.receivables.payments import PaymentService
from crmkit.services.receivables.plans import PaymentPlanService
from crmkit.services.receivables.refunds import RefundService
from crmkit.services.workflows import WorkflowService
from crmkit.tenant_services import TenantServices
from crmkit.urls import masked

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

DEFAULT_MONGO_DATABASE = "crmkit"


def open_storage(
    target: object,
    *,
    upgrade_schema: bool = False,
    version_table: str | None = None,
    session: object | None = None,
) -> Storage:
    """The storage behind ``target``.

    ``target`` is a URL (``memory://``, ``sqlite:///crm.db``, ``postgresql+psycopg://...``,
    ``mysql+pymysql://...``, ``mongodb://host/dbname``), a SQLAlchemy ``Engine`` or
    ``Connection``, a pymongo ``MongoClient`` or ``Database``, or a ready :class:`Storage`.
    With ``upgrade_schema`` the database's tables or collections are created or upgraded
    first; without it, a database that needs upgrading is refused. ``version_table`` names
    the Alembic version table holding crmkit's revisions when an application runs them from
    its own Alembic environment (default ``crmkit_alembic_version``). A ``Connection`` must
    have a transaction begun; crmkit then writes inside it and the caller commits. With a
    pymongo client or database, ``session`` is the caller's ``ClientSession`` with a
    transaction begun, which crmkit works inside likewise.

    Raises:
        ConfigurationError: the target is not supported, its extra is not installed, or
            the database needs a schema upgrade.
    """
    module = type(target).__module__
    if session is not None and not module.startswith("pymongo"):
        raise ConfigurationError(
            "session= is a pymongo ClientSession for a pymongo client or database target; "
            "for SQL hand crmkit a Connection with a transaction begun instead."
        )
    if isinstance(target, str):
        return _open_url(target, upgrade_schema, version_table)
    if module.startswith("sqlalchemy"):
        return _open_sql(target, False, upgrade_schema, version_table)
    if module.startswith("pymongo"):
        return _open_mongo_object(target, upgrade_schema, session)
    if hasattr(target, "unit_of_work") and hasattr(target, "close"):
        return target  # a user's own Storage, duck-typed
    raise ConfigurationError(
        f"cannot open storage from {type(target).__name__}; pass a URL, a SQLAlchemy engine "
        f"or connection, a pymongo client or database, or a Storage.",
    )


def _open_url(url: str, upgrade_schema: bool, version_table: str | None) -> Storage:
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
        return _open_sql(engine, True, upgrade_schema, version_table)
    except StorageError as error:
        engine.dispose()
        reason = error.message.removeprefix("the database refused the operation: ")
        raise _same_kind(
            error,
            f"cannot use the database at {masked(url)}: {' '.join(reason.split())}; check that "
            f"it is running and that the URL, user, password and path are right.",
        ) from error
    except BaseException:
        engine.dispose()
        raise


def _same_kind(error: BaseException, message: str) -> StorageError:
    """A storage error with ``message`` that keeps whether ``error`` was an outage."""
    if isinstance(error, StorageUnavailable):
        return StorageUnavailable(message)
    return StorageError(message)


def _open_sql(
    source: Any, owns_engine: bool, upgrade_schema: bool, version_table: str | None
) -> Storage:
    from sqlalchemy import Connection, Engine

    from crmkit.adapters.sql import SqlStorage, upgrade_database
    from crmkit.adapters.sql.guards import require_transaction
    from crmkit.adapters.sql.tables import VERSION_TABLE

    if not isinstance(source, Engine | Connection):
        raise ConfigurationError(
            f"a SQLAlchemy {type(source).__name__} is not an Engine or a Connection."
        )
    table = version_table or VERSION_TABLE
    if isinstance(source, Connection):
        require_transaction(source)
    if upgrade_schema:
        upgrade_database(source, version_table=table)
    return SqlStorage(source, owns_engine=owns_engine, version_table=table)


def _open_mongo_object(target: Any, upgrade_schema: bool, session: Any) -> Storage:
    from pymongo import MongoClient
    from pymongo.database import Database

    if isinstance(target, Database):
        return _mongo_storage(target.client, target.name, False, upgrade_schema, session)
    if isinstance(target, MongoClient):
        database = target.get_default_database(DEFAULT_MONGO_DATABASE).name
        return _mongo_storage(target, database, False, upgrade_schema, session)
    raise ConfigurationError(f"a pymongo {type(target).__name__} is not a client or database.")


def _mongo_storage(
    client: Any, database: str, owns_client: bool, upgrade_schema: bool, session: Any = None
) -> Storage:
    from pymongo.errors import PyMongoError

    from crmkit.adapters.mongo import MongoStorage, ensure_indexes

    try:
        if upgrade_schema:
            ensure_indexes(client[database])
        return MongoStorage(client, database, owns_client=owns_client, session=session)
    except (PyMongoError, StorageError) as error:
        if owns_client:
            client.close()
        if isinstance(error, StorageError):
            reason = error.message
        else:
            reason = (
                f"{type(error).__name__}: {' '.join(str(error).split(', Timeout:')[0].split())}"
            )
        raise _same_kind(
            error,
            f"cannot use the MongoDB database {database!r}: {masked(reason)}; check that the "
            f"server (a replica set) is running and that the URL, user and password are right.",
        ) from error
    except BaseException:
        if owns_client:
            client.close()
        raise


def upgrade_database(target: str | Engine | Connection) -> None:
    """Create or upgrade crmkit's tables in the SQL database ``target`` (URL, engine or connection).

    The same as ``crmkit db upgrade URL``; safe on an up-to-date database. For MongoDB use
    ``open_crm(url, upgrade_schema=True)``, which creates the indexes.

    Raises:
        ConfigurationError: the SQL extra is not installed or the target is not a SQL database.
    """
    _require("sqlalchemy", "sql")
    from crmkit.adapters.sql import migrate

    if isinstance(target, str) and target.split(":", 1)[0].lower() in _NOT_SQL:
        raise ConfigurationError(
            f"upgrade_database works on SQL databases; open {target.split(':', 1)[0]}:// "
            f"storage with open_crm(url, upgrade_schema=True) instead."
        )
    migrate.upgrade_database(target)


_NOT_SQL = {"memory", "mongodb", "mongodb+srv"}


def _require(module: str, extra: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise ConfigurationError(
            f"this storage needs {module}; install it with `pip install 'crmkit[{extra}]'`."
        ) from None


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
        quotes = QuoteService(unit_of_work, self.clock, policy, numbers)
        accounts = CustomerAccountService(unit_of_work, self.clock)
        orders = OrderService(
            unit_of_work,
            self.clock,
            pricing_policy=policy,
            approval=self.approval_rules.get(bound),
            numbers=numbers,
        )
        return TenantServices(
            tenant_id=bound,
            catalog=CatalogService(unit_of_work, self.clock),
            pricing=PricingService(unit_of_work, self.clock, policy),
            quotes=quotes,
            inventory=InventoryService(unit_of_work, self.clock),
            accounts=accounts,
            orders=orders,
            outbox=OutboxService(unit_of_work, self.clock),
            payments=PaymentService(unit_of_work, self.clock),
            plans=PaymentPlanService(unit_of_work, self.clock),
            refunds=RefundService(unit_of_work, self.clock),
            invoices=InvoiceService(unit_of_work, self.clock),
            contracts=ContractService(unit_of_work, self.clock),
            approvals=ApprovalService(unit_of_work, self.clock, order_rules=orders.confirm_rules),
            workflows=WorkflowService(unit_of_work, self.clock),
            processes=ProcessService(unit_of_work, self.clock),
            customers=CustomerService(unit_of_work, self.clock),
            pools=PoolService(unit_of_work, self.clock),
            leads=LeadService(unit_of_work, self.clock),
            activities=ActivityService(unit_of_work, self.clock),
            directory=DirectoryService(unit_of_work, self.clock),
            opportunities=OpportunityService(unit_of_work, self.clock),
            customer_quotes=CustomerQuotes(unit_of_work, self.clock, quotes=quotes),
            customer_funds=CustomerFunds(unit_of_work, self.clock, accounts=accounts),
            visits=VisitService(unit_of_work, self.clock),
            work_orders=WorkOrderService(unit_of_work, self.clock),
            custom_fields=CustomFieldService(unit_of_work, self.clock),
            unit_of_work=unit_of_work,
        )

    def unit_of_work(self, tenant: str) -> UnitOfWork:
        """A unit of work of ``tenant``, for callers composing their own transactions."""
        return self.storage.unit_of_work(tenant_id(tenant))

    def close(self) -> None:
        """Release the connections crmkit opened itself."""
        self.storage.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_crm(
    target: str | Engine | Connection | object,
    *,
    clock: Clock | None = None,
    upgrade_schema: bool = False,
    pricing_policies: Mapping[str, PricingPolicy] | None = None,
    version_table: str | None = None,
    session: object | None = None,
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
    storage = open_storage(
        target, upgrade_schema=upgrade_schema, version_table=version_table, session=session
    )
    return Crm(
        storage,
        clock,
        pricing_policies,
        number_patterns=number_patterns,
        approval_rules=approval_rules,
    )
