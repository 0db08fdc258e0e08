"""The unit-of-work shell shared by the adapters that run over a driver session."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from crmkit.adapters.guard import guard_repositories
from crmkit.domain import InvalidStateTransition, TenantId
from crmkit.domain.records import RecordType
from crmkit.services.records import RecordRepository, RecordStore


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
