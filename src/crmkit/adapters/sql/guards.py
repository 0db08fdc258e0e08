"""Refuse connections under which crmkit's guarantees would silently fail."""

from __future__ import annotations

from sqlalchemy import Connection

from crmkit.domain import ConfigurationError

REFUSED_ISOLATION_LEVELS = frozenset({"AUTOCOMMIT", "READ UNCOMMITTED"})
"""Isolation levels crmkit refuses.

Under AUTOCOMMIT every statement commits alone, so a refused command would leave half its
writes; under READ UNCOMMITTED a command could act on another's uncommitted rows.
"""


def require_transaction(connection: Connection) -> None:
    """Refuse a caller's connection that has no transaction begun.

    Raises:
        ConfigurationError: ``connection`` is not in a transaction.
    """
    if not connection.in_transaction():
        raise ConfigurationError(
            "the SQLAlchemy Connection handed to crmkit has no transaction begun, so crmkit's "
            "writes would be lost when it closes; begin one first (`with engine.connect() as "
            "conn, conn.begin(): crm = open_crm(conn)`) and commit it yourself, or hand "
            "crmkit the Engine to let it commit its own transactions."
        )


def check_isolation(connection: Connection, *, query: bool = True) -> None:
    """Refuse AUTOCOMMIT and READ UNCOMMITTED (with ``query``, ask the database too).

    Raises:
        ConfigurationError: the connection runs at a refused isolation level.
    """
    level = connection.get_execution_options().get("isolation_level") or getattr(
        connection.dialect, "_on_connect_isolation_level", None
    )
    if level is None and query:
        level = connection.get_isolation_level()
    if isinstance(level, str) and level.upper() in REFUSED_ISOLATION_LEVELS:
        raise ConfigurationError(
            f"crmkit cannot work at isolation level {level.upper()}: its commands are all or "
            f"nothing and read only committed rows; use READ COMMITTED (the default), "
            f"REPEATABLE READ or SERIALIZABLE."
        )
