"""Translation of driver errors into crmkit errors, in one place."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from crmkit.domain import CrmkitError, StorageError

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


@contextmanager
def translated(
    on_unique: Callable[[str], CrmkitError] | None = None,
    on_conflict: Callable[[], CrmkitError] | None = None,
) -> Iterator[None]:
    """Run a database call and raise crmkit errors instead of driver errors.

    ``on_unique`` builds the error for a unique violation from the violated constraint
    (see :func:`violated_constraint`), ``on_conflict`` the one for a
    serialization failure, deadlock or busy database; any other driver error becomes
    :class:`StorageError`.
    """
    try:
        yield
    except sa_exc.DBAPIError as error:
        if on_unique is not None and is_unique_violation(error):
            raise on_unique(violated_constraint(error)) from error
        if on_conflict is not None and is_retryable(error):
            raise on_conflict() from error
        raise StorageError(
            f"the database refused the operation: {type(error.orig).__name__}: {error.orig}",
        ) from error
