"""The unit-of-work shell shared by the adapters that run over a driver session."""

from __future__ import annotations

from typing import Any, Generic, Protocol, Self, TypeVar

from crmkit.adapters.guard import guard_repositories
from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    InvalidStateTransition,
    TenantId,
    WrongTenant,
)
from crmkit.domain.records import RecordType
from crmkit.services.records import RecordRepository, RecordStore, stale_error


class TenantSession(Protocol):
    """A driver session of one tenant's unit of work (SqlSession, MongoSession)."""

    tenant_id: TenantId

    def fail(self, error: CrmkitError) -> CrmkitError: ...


T = TypeVar("T", bound=TenantSession)


class SessionRepository(Generic[T]):
    """A repository over a driver session, confined to the session's tenant."""

    def __init__(self, session: T) -> None:
        self._session = session
        self._tenant = session.tenant_id

    def _fail(self, error: CrmkitError) -> CrmkitError:
        """``error``, after the session rolled the unit of work back."""
        return self._session.fail(error)

    def _same_tenant(self, entity: str, record_id: object, tenant_id: str) -> None:
        """Refuse a record of another tenant than the session's (:class:`WrongTenant`, after
        the rollback)."""
        if tenant_id != self._tenant:
            raise self._fail(WrongTenant(entity, record_id, tenant_id, self._tenant))

    def _lost_update(
        self, entity: str, record_id: object, stored: int | None, expected: int
    ) -> CrmkitError:
        """The error of a version-checked write that matched nothing, after the rollback: the
        record is gone (``stored`` is None) or another writer moved it on to ``stored``."""
        return self._fail(stale_error(entity, record_id, self._tenant, stored, expected))

    def _taken(self, entity: str, key: object) -> CrmkitError:
        """The error of a write another unit of work made first."""
        return ConcurrencyConflict(
            entity, str(key), self._tenant, "another unit of work wrote it first"
        )


class Transaction(Protocol):
    """What a driver session gives a unit of work (SqlSession, MongoSession)."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Transaction)
R = TypeVar("R")


class SessionUnitOfWork(Generic[S]):
    """A unit of work that opens a session on ``with`` and closes it on exit.

    Subclasses say how to open the session (:meth:`_open`) and which repositories run on
    it (:meth:`_bind`). Leaving the block rolls back whatever was not committed.
    """

    def __init__(self, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._session: S | None = None
        self._record_stores: dict[str, RecordStore[Any]] = {}

    def _open(self) -> S:
        raise NotImplementedError

    def _bind(self, session: S) -> None:
        raise NotImplementedError

    def _new_record_store(self, session: S, record_type: RecordType[Any]) -> RecordStore[Any]:
        raise NotImplementedError

    def records(self, record_type: RecordType[R]) -> RecordRepository[R]:
        """The records of a declared type in this unit of work."""
        return RecordRepository(record_type, self._record_store, self.tenant_id)

    def _record_store(self, record_type: RecordType[Any]) -> RecordStore[Any]:
        session = self._active("use the records of")
        store = self._record_stores.get(record_type.scope)
        if store is None:
            store = self._new_record_store(session, record_type)
            self._record_stores[record_type.scope] = store
        return store

    def __enter__(self) -> Self:
        self._session = self._open()
        self._record_stores = {}
        self._bind(self._session)
        guard_repositories(self)  # no mapping or bytes reaches a repository's queries
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        self._active("commit").commit()

    def rollback(self) -> None:
        self._active("roll back").rollback()

    def _active(self, action: str) -> S:
        if self._session is None:
            raise InvalidStateTransition(
                "unit of work of tenant",
                self.tenant_id,
                "not open (use it in a 'with' block)",
                action,
            )
        return self._session
