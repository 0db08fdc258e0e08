"""Write-behind: a unit of work's writes sent together in one psycopg pipeline.

Only PostgreSQL through psycopg 3 (on a libpq with pipeline mode) defers writes; SQLite and
MariaDB run every write at once (their drivers have no pipeline, and a write there costs no
network round trip, or a round trip no pipeline can save). A storage opened over a caller's
:class:`~sqlalchemy.Connection` (crmkit embedded in an ERP's transaction) runs every write at
once too: the caller's own statements on that connection, between crmkit's, must see them.

A write whose outcome its caller does not read (an ``INSERT``, a versioned ``UPDATE``
checked by its row count) is queued by :meth:`SqlSession.write
<crmkit.adapters.sql.session.SqlSession.write>`. The queue goes to the server in one
pipeline, one round trip, before the session's next statement (reads see every earlier
write) and before its commit. Then, in the order of the writes, each one's row count is
checked and the first failed one's driver error is translated with that write's own
``on_unique``: the caller gets the same :class:`CrmkitError` as if each write had run at
once, and the transaction is rolled back.

A failure found while flushing for a later statement is raised as
:class:`DeferredWriteFailed`, which no ``except CrmkitError`` around that later statement
takes for its own failure; the unit of work raises the write's error as it leaves its
``with`` block. Writes whose failure a service handles inside the unit of work (the
processed-request key, records added with a duplicate fallback) do not use
:meth:`~crmkit.adapters.sql.session.SqlSession.write` and run at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import SQLAlchemyError

from crmkit.adapters.sql import direct
from crmkit.adapters.sql.cursors import Cursors, close_all
from crmkit.domain import CrmkitError

ENABLED = True
"""Whether sessions on a psycopg connection with pipeline support defer writes."""

Check = Callable[[int], None]
"""What a write's caller checks of its row count (raising its CrmkitError if wrong)."""


def available(connection: Connection) -> bool:
    """Whether ``connection``'s driver runs pipelines (psycopg 3 with libpq pipeline mode)."""
    if not ENABLED or connection.dialect.driver != "psycopg":
        return False
    import psycopg  # noqa: PLC0415 -- the driver of this connection, present only then

    return bool(psycopg.Pipeline.is_supported())


class DeferredWriteFailed(BaseException):
    """A queued write's error, found while flushing for a later statement.

    A ``BaseException``, so that a handler around the later statement (``except
    DuplicateRecord`` around an insert of its own, ``except CrmkitError``) never takes it for
    that statement's failure; the unit of work turns it back into ``error`` as it exits.
    """

    def __init__(self, error: CrmkitError) -> None:
        super().__init__(error)
        self.error = error


class Write:
    """One queued statement built once: its parameters and how to judge its outcome."""

    __slots__ = ("check", "on_conflict", "on_unique", "parameters", "statement")

    def __init__(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        on_unique: Callable[[str], CrmkitError] | None,
        check: Check | None,
        on_conflict: Callable[[], CrmkitError] | None = None,
    ) -> None:
        self.statement = statement
        self.parameters = parameters
        self.on_unique = on_unique
        self.check = check
        self.on_conflict = on_conflict

    def send(self, connection: Connection, plans: dict[Any, Any], cursor: Any) -> Any:
        """Queue the statement on ``cursor`` (in pipeline mode); its plan."""
        parameters = self.parameters
        if isinstance(parameters, Sequence) and len(parameters) == 1:
            parameters = parameters[0]
        dialect = connection.dialect
        if isinstance(parameters, Sequence):
            plan = direct.plan_for(dialect, plans, self.statement, parameters[0], True)
            direct.send_many(connection, plan, cursor, parameters)
        else:
            plan = direct.plan_for(dialect, plans, self.statement, parameters, False)
            direct.send_one(connection, plan, cursor, parameters)
        return plan


def send(
    connection: Connection,
    plans: dict[Any, Any],
    writes: Sequence[Write],
    kept: Cursors | None = None,
) -> tuple[list[direct.DirectResult], BaseException | None]:
    """Send ``writes`` in one pipeline (one round trip), on cursors from ``kept`` (those
    of earlier pipelines of the session), or new ones.

    Returns the results (rows and row count) of the statements that ran, in order, up to
    the first that failed, and that one's error (wrapped as SQLAlchemy wraps driver
    errors), or ``None``.
    """
    dbapi_connection: Any = connection.connection.dbapi_connection
    spare = [] if kept is None else kept.spare(dbapi_connection)
    cursors: list[Any] = []
    sent: list[Any] = []
    try:
        with dbapi_connection.pipeline():
            for write in writes:
                cursors.append(spare.pop() if spare else dbapi_connection.cursor())
                sent.append(write.send(connection, plans, cursors[-1]))
    except Exception as error:
        # The statements before the failed one have their results; it and the rest have
        # none. A cursor whose statement was not queued (the last taken) is not looked at:
        # a cursor of an earlier pipeline still holds that pipeline's result.
        close_all(spare)
        queued = len(sent)
        last = min(queued, max(len(cursors) - 1, 0))
        failed = next((n for n, c in enumerate(cursors[:queued]) if c.pgresult is None), last)
        ran = zip(sent[:failed], cursors, strict=False)
        results = [_result(connection, plan, cursor) for plan, cursor in ran]
        close_all(cursors)
        if isinstance(error, SQLAlchemyError):
            return results, error
        try:
            sql = sent[failed].compiled.string if failed < len(sent) else None
            cursor = cursors[failed] if cursors else None
            connection._handle_dbapi_exception(error, sql, None, cursor, None)
        except Exception as wrapped:  # what SQLAlchemy made of it
            return results, wrapped
    try:
        results = [_result(connection, plan, c) for plan, c in zip(sent, cursors, strict=True)]
    except BaseException:
        close_all([*cursors, *spare])
        raise
    if kept is None:
        close_all([*cursors, *spare])
    else:
        kept.keep_spare([*spare, *cursors], dbapi_connection)
    return results, None


def _result(connection: Connection, plan: Any, cursor: Any) -> direct.DirectResult:
    rows = plan.rows(cursor, connection.dialect) if plan.fetch else []
    return direct.DirectResult(rows, cursor.rowcount)
