"""A transaction on one connection, shared by the repositories of a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Executable, RootTransaction
from sqlalchemy.engine import NestedTransaction

from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.guards import check_isolation, require_transaction
from crmkit.domain import ConcurrencyConflict, CrmkitError, TenantId


class SqlSession:
    """Runs statements in the unit of work's transaction and translates driver errors.

    With an :class:`Engine` it checks out its own connection. With a caller's
    :class:`Connection` it joins the caller's transaction through a savepoint, so that
    committing the unit of work keeps its changes inside the caller's transaction and the
    caller decides when everything becomes durable.
    """

    def __init__(self, source: Engine | Connection, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._owns_connection = isinstance(source, Engine)
        self._connection = source.connect() if isinstance(source, Engine) else source
        self._transaction: RootTransaction | NestedTransaction | None = None

    def _begin(self) -> RootTransaction | NestedTransaction:
        if self._transaction is None:
            check_isolation(self._connection, query=False)
            if self._owns_connection:
                self._transaction = self._connection.begin()
            else:
                require_transaction(self._connection)
                self._transaction = self._connection.begin_nested()
        return self._transaction

    def execute(
        self,
        statement: Executable,
        parameters: Any = None,
        *,
        on_unique: Callable[[str], CrmkitError] | None = None,
        on_conflict: Callable[[], CrmkitError] | None = None,
    ) -> CursorResult[Any]:
        """Execute ``statement``; on any error roll the whole unit of work back and raise."""
        self._begin()
        try:
            with translated(on_unique, on_conflict or self._conflict):
                return self._connection.execute(statement, parameters)
        except BaseException:
            self.rollback()
            raise

    def fail(self, error: CrmkitError) -> CrmkitError:
        """Roll the unit of work back and return ``error`` for the caller to raise."""
        self.rollback()
        return error

    def commit(self) -> None:
        if self._transaction is None:
            return
        transaction, self._transaction = self._transaction, None
        try:
            with translated(on_conflict=self._conflict):
                transaction.commit()
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise

    def rollback(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None and transaction.is_active:
            transaction.rollback()

    def close(self) -> None:
        self.rollback()
        if self._owns_connection:
            self._connection.close()

    def _conflict(self) -> CrmkitError:
        return ConcurrencyConflict(
            "transaction",
            None,
            self.tenant_id,
            "the database reported a serialization failure, deadlock or busy lock",
        )
