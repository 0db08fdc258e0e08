"""The unit-of-work shell shared by the adapters that run over a driver session."""

from __future__ import annotations

from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from crmkit.adapters.guard import guard_repositories
from crmkit.domain import InvalidStateTransition, TenantId


class Transaction(Protocol):
    """What a driver session gives a unit of work (SqlSession, MongoSession)."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Transaction)


class SessionUnitOfWork(Generic[S]):
    """A unit of work that opens a session on ``with`` and closes it on exit.

    Subclasses say how to open the session (:meth:`_open`) and which repositories run on
    it (:meth:`_bind`). Leaving the block rolls back whatever was not committed.
    """

    def __init__(self, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._session: S | None = None

    def _open(self) -> S:
        raise NotImplementedError

    def _bind(self, session: S) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._session = self._open()
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
