"""Translation of driver errors into crmkit errors, in one place."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import exc as sa_exc

from crmkit.domain import CrmkitError, StorageError, StorageUnavailable

# PostgreSQL SQLSTATEs that mean "another transaction got in the way; retry".
_PG_RETRYABLE = {"40001", "40P01", "55P03"}
# MariaDB/MySQL error numbers: deadlock, lock wait timeout, snapshot conflict.
_MYSQL_RETRYABLE = {1213, 1205, 1020}
# SQLite primary result codes: BUSY, LOCKED.
_SQLITE_RETRYABLE = {5, 6}


def _codes(error: sa_exc.DBAPIError) -> tuple[str | None, int | None, int | None]:
    """(SQLSTATE, MySQL error number, SQLite primary result code) of a driver error."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    args = getattr(orig, "args", ())
    mysql_code = args[0] if args and isinstance(args[0], int) else None
    sqlite_code = None
    if isinstance(orig, sqlite3.Error):
        sqlite_code = getattr(orig, "sqlite_errorcode", 0) & 0xFF
        mysql_code = None
    return sqlstate, mysql_code, sqlite_code


def is_unique_violation(error: sa_exc.DBAPIError) -> bool:
    """Whether the driver reports a unique or primary key violation."""
    sqlstate, mysql_code, sqlite_code = _codes(error)
    # SQLITE_CONSTRAINT_UNIQUE (2067) and _PRIMARYKEY (1555) share primary code 19.
    sqlite_unique = sqlite_code == 19 and "UNIQUE" in str(error.orig)
    return sqlstate == "23505" or mysql_code == 1062 or sqlite_unique


def violated_constraint(error: sa_exc.DBAPIError) -> str:
    """The name (or, on SQLite, the columns) of the unique constraint ``error`` reports."""
    orig = error.orig
    diag = getattr(orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return str(diag.constraint_name)
    text = str(orig)
    match = re.search(r"for key '([^']+)'", text) or re.search(r"failed: (.+)$", text)
    return match.group(1) if match else text


def is_retryable(error: sa_exc.DBAPIError) -> bool:
    """Whether the driver reports a serialization failure, deadlock or busy database."""
    sqlstate, mysql_code, sqlite_code = _codes(error)
    return (
        sqlstate in _PG_RETRYABLE
        or mysql_code in _MYSQL_RETRYABLE
        or sqlite_code in _SQLITE_RETRYABLE
    )


# SQLSTATE class 08 is "connection exception"; 57P01-57P03: the server is shutting down,
# crashed or is starting up.
_PG_UNAVAILABLE = {"57P01", "57P02", "57P03"}
# MariaDB/MySQL: server shutdown, connection killed, cannot connect, server gone away, lost
# connection during query, lost connection to server, disconnected by the server.
_MYSQL_UNAVAILABLE = {1053, 1927, 2002, 2003, 2006, 2013, 2055, 4031}


def is_unavailable(error: sa_exc.SQLAlchemyError) -> bool:
    """Whether the database could not be reached or the connection was lost."""
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True  # no pooled connection came free in time; the pool's own disconnect
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate, mysql_code, sqlite_code = _codes(error)
    if sqlstate is not None:
        return sqlstate.startswith("08") or sqlstate in _PG_UNAVAILABLE
    if mysql_code is not None:
        return mysql_code in _MYSQL_UNAVAILABLE
    # A driver error with no code at all (psycopg's "connection refused", pymysql's
    # "(0, '')" on a dead socket) comes from the connection, not from the statement.
    return sqlite_code is None and isinstance(
        error, sa_exc.OperationalError | sa_exc.InterfaceError
    )


def translate(
    error: sa_exc.SQLAlchemyError,
    on_unique: Callable[[str], CrmkitError] | None = None,
    on_conflict: Callable[[], CrmkitError] | None = None,
) -> CrmkitError:
    """The crmkit error for a SQLAlchemy or driver error (the one mapping of the SQL adapters).

    In order: a crmkit error raised by a column type's bind check is passed on; a lost or
    refused connection is :class:`StorageUnavailable`; a unique violation is built by
    ``on_unique`` from the violated constraint (see :func:`violated_constraint`); a
    serialization failure, deadlock or busy database by ``on_conflict``; anything else is
    :class:`StorageError`.
    """
    if isinstance(error, sa_exc.StatementError) and isinstance(error.orig, CrmkitError):
        return error.orig
    if is_unavailable(error):
        return StorageUnavailable(
            "the database is unreachable or closed the connection "
            f"({_driver_text(error)}); nothing was committed unless this happened during "
            "commit. Retry once it is back: keyed commands are safe to repeat.",
        )
    if isinstance(error, sa_exc.DBAPIError):
        if on_unique is not None and is_unique_violation(error):
            return on_unique(violated_constraint(error))
        if on_conflict is not None and is_retryable(error):
            return on_conflict()
    return StorageError(f"the database refused the operation: {_driver_text(error)}")


def _driver_text(error: sa_exc.SQLAlchemyError) -> str:
    orig = getattr(error, "orig", None) or error
    text = f"{type(orig).__name__}: {orig}".splitlines()[0] if str(orig) else type(orig).__name__
    return text[:200]


def translated(
    on_unique: Callable[[str], CrmkitError] | None = None,
    on_conflict: Callable[[], CrmkitError] | None = None,
) -> Translated:
    """Run a database call (connect, begin, execute, commit) and raise crmkit errors only.

    See :func:`translate` for the mapping.
    """
    return Translated(on_unique, on_conflict)


class Translated:
    """The context of :func:`translated` (a class: a generator's context manager costs
    a generator and four calls for each of a command's statements)."""

    __slots__ = ("on_conflict", "on_unique")

    def __init__(
        self,
        on_unique: Callable[[str], CrmkitError] | None,
        on_conflict: Callable[[], CrmkitError] | None,
    ) -> None:
        self.on_unique = on_unique
        self.on_conflict = on_conflict

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, sa_exc.SQLAlchemyError):
            raise translate(error, self.on_unique, self.on_conflict) from error
