"""A transaction on one connection, shared by the repositories of a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Executable, RootTransaction
from sqlalchemy.engine import NestedTransaction
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from crmkit.adapters.sql import direct, write_behind
from crmkit.adapters.sql.cursors import Cursors
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
        self._cursors = Cursors()
        # Writes queued for one pipeline (see write_behind.py); None: every write at once,
        # as on a caller's connection, whose own statements must see crmkit's writes.
        self._pending: list[write_behind.Write] | None = (
            []
            if self._owns_connection
            and self._plans is not None
            and write_behind.available(self._connection)
            else None
        )

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

        Queued writes (see :meth:`write`) go first, with ``statement`` in the same
        pipeline where it is built once. The unit of work's first statement, if it finds
        its pooled connection dropped (the server restarted, an idle timeout), runs once
        more on a fresh connection: nothing was done in the transaction yet, so the pool
        needs no ping before every unit of work.
        """
        if self._pending:
            if direct.is_built_once(statement) and not isinstance(parameters, list | tuple):
                last = write_behind.Write(statement, parameters or {}, on_unique, None, on_conflict)
                return self._flush(last)
            self._flush()
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

    def write(
        self,
        statement: Executable,
        parameters: Any,
        *,
        on_unique: Callable[[str], CrmkitError] | None = None,
        check: write_behind.Check | None = None,
    ) -> None:
        """Execute a write whose rows the caller does not read, then ``check`` its row count.

        On PostgreSQL with write-behind a statement built once is queued after the unit of
        work's first statement and sent with the others before the next statement or the
        commit (see :mod:`~crmkit.adapters.sql.write_behind`); its error, or ``check``'s,
        is raised then. A write whose failure the caller handles must use :meth:`execute`.
        """
        if (
            self._pending is None
            or self._transaction is None
            or not direct.is_built_once(statement)
            or not parameters
        ):
            count = self.execute(statement, parameters, on_unique=on_unique).rowcount
            if check is not None:
                check(count)
            return
        self._pending.append(write_behind.Write(statement, parameters, on_unique, check))

    def _flush(
        self, last: write_behind.Write | None = None, *, at_commit: bool = False
    ) -> direct.DirectResult:
        """Send the queued writes and ``last`` in one pipeline and judge them in order: the
        result of ``last``, or on a failure roll back and raise its error (a queued write's
        as :class:`~write_behind.DeferredWriteFailed`, unless ``at_commit``)."""
        writes, self._pending = [*(self._pending or ()), *([] if last is None else [last])], []
        failing: write_behind.Write | None = None
        try:
            with translated(on_conflict=self._conflict):
                results, failure = write_behind.send(
                    self._connection, self._plans or {}, writes, self._cursors
                )
            if failure is not None:
                # The transaction is aborted: the checks of the writes before the failed
                # one, which may read (a version conflict or a row gone), read in a new one.
                self.rollback()
            for write, result in zip(writes, results, strict=False):
                failing = write
                if write.check is not None:
                    write.check(result.rowcount)
            if failure is not None:
                failing = writes[len(results)]
                with translated(failing.on_unique, failing.on_conflict or self._conflict):
                    raise failure
        except CrmkitError as error:
            self.rollback()
            if at_commit or failing is last:
                raise
            raise write_behind.DeferredWriteFailed(error) from error
        except BaseException:
            self.rollback()
            raise
        return results[-1]

    def _run(self, statement: Executable, parameters: Any) -> direct.Rows:
        if self._plans is not None and direct.is_built_once(statement):
            result = direct.run(self._connection, self._plans, self._cursors, statement, parameters)
            if result is not None:
                return result
        return self._connection.execute(statement, parameters)

    def fail(self, error: CrmkitError) -> CrmkitError:
        """Roll the unit of work back and return ``error`` for the caller to raise (a
        queued write's error instead, if one failed: it came first)."""
        if self._pending:
            self._flush()
        self.rollback()
        return error

    def settle(self) -> None:
        """Send and judge the queued writes now, raising the first failed one's error.

        The unit of work settles as it ends, so that a write queued before an error (or
        before leaving without a commit) still fails first, as it would have at once: an
        error computed from rows that write found changed gives way to its conflict.
        """
        if self._pending:
            self._flush(at_commit=True)

    def commit(self) -> None:
        if self._transaction is None:
            return
        if self._pending:
            self._flush(at_commit=True)
        transaction, self._transaction = self._transaction, None
        try:
            with translated(on_conflict=self._conflict):
                transaction.commit()
        except BaseException:
            if transaction.is_active:
                _quietly(transaction.rollback)
            raise

    def rollback(self) -> None:
        if self._pending:
            self._pending = []
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
