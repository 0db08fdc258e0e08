"""A transaction on one connection, shared by the repositories of a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Executable, RootTransaction
from sqlalchemy.engine import NestedTransaction
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from crmkit.adapters.sql import direct
from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.guards import check_isolation, require_transaction
from crmkit.domain import ConcurrencyConflict, CrmkitError, TenantId


class SqlSession:
    """Runs statements in the unit of work's transaction and translates driver errors.

    Every call on the connection (connect, begin, execute, commit) goes through
    :func:`~crmkit.adapters.sql.errors.translated`; rolling back and closing never raise
    (if the connection is gone the server has discarded the transaction already).

    With an :class:`Engine` it checks out its own connection. With a caller's
    :class:`Connection` it joins the caller's transaction through a savepoint, so that
    committing the unit of work keeps its changes inside the caller's transaction and the
    caller decides when everything becomes durable.
    """

    def __init__(self, source: Engine | Connection, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._owns_connection = isinstance(source, Engine)
        with translated():
            self._connection = source.connect() if isinstance(source, Engine) else source
        self._transaction: RootTransaction | NestedTransaction | None = None
        # Statements built once run on the driver's cursor (see direct.py), unless the
        # connection carries execution options (schema translation and the like) or the
        # SQLAlchemy installed is not of the series the direct path was written against.
        self._plans = (
            None
            if not direct.SUPPORTED or self._connection.get_execution_options()
            else direct.plans_for(self._connection.dialect)
        )
        self._cursors = direct.Cursors()

    @property
    def dialect(self) -> Dialect:
        """The SQL dialect of the connection."""
        return self._connection.dialect

    def _begin(self) -> RootTransaction | NestedTransaction:
        if self._transaction is None:
            check_isolation(self._connection, query=False)
            if self._owns_connection:
                with translated():
                    self._transaction = self._connection.begin()
            else:
                require_transaction(self._connection)
                with translated():
                    self._transaction = self._connection.begin_nested()
        return self._transaction

    def execute(
        self,
        statement: Executable,
        parameters: Any = None,
        *,
        on_unique: Callable[[str], CrmkitError] | None = None,
        on_conflict: Callable[[], CrmkitError] | None = None,
    ) -> direct.Rows:
        """Execute ``statement``; on any error roll the whole unit of work back and raise.

        The unit of work's first statement, if it finds its pooled connection dropped (the
        server restarted, an idle timeout), runs once more on a fresh connection: nothing
        was done in the transaction yet, so the pool needs no ping before every unit of work.
        """
        first = self._transaction is None and self._owns_connection
        try:
            self._begin()
            with translated(on_unique, on_conflict or self._conflict):
                try:
                    return self._run(statement, parameters)
                except DBAPIError as error:
                    if not (first and error.connection_invalidated):
                        raise
                self.rollback()  # lets the connection reconnect on its next use
                self._begin()
                return self._run(statement, parameters)
        except BaseException:
            self.rollback()
            raise

    def _run(self, statement: Executable, parameters: Any) -> direct.Rows:
        if self._plans is not None and direct.is_built_once(statement):
            result = direct.run(self._connection, self._plans, self._cursors, statement, parameters)
            if result is not None:
                return result
        return self._connection.execute(statement, parameters)

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
                _quietly(transaction.rollback)
            raise

    def rollback(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None and transaction.is_active:
            _quietly(transaction.rollback)

    def close(self) -> None:
        self._cursors.close()
        self.rollback()
        if self._owns_connection:
            _quietly(self._connection.close)

    def _conflict(self) -> CrmkitError:
        return ConcurrencyConflict(
            "transaction",
            None,
            self.tenant_id,
            "the database reported a serialization failure, deadlock or busy lock",
        )


def _quietly(release: Callable[[], None]) -> None:
    """Roll back or close, ignoring a lost connection: the server discards the transaction."""
    with suppress(SQLAlchemyError):
        release()
