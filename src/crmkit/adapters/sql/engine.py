"""Engines crmkit creates itself from a URL, configured for correct transactions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from crmkit.domain import ConfigurationError
from crmkit.urls import masked

SQLITE_BUSY_TIMEOUT_MS = 5000


def create_crmkit_engine(url: str, **engine_options: Any) -> Engine:
    """An engine for ``url`` (SQLite file, PostgreSQL or MariaDB/MySQL).

    SQLite gets WAL journaling (readers never block the writer), a busy timeout, enforced
    foreign keys and real ``BEGIN`` statements, so its transactions isolate like the
    servers'. MariaDB/MySQL run at READ COMMITTED, like PostgreSQL's default.

    Raises:
        ConfigurationError: the URL names an in-memory SQLite database or an unsupported
            dialect.
    """
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise ConfigurationError(
            f"{masked(url)!r} is not a database URL; write it as sqlite:///crm.db, "
            f"postgresql+psycopg://user@host/db or mysql+pymysql://user@host/db."
        ) from None
    try:
        return _engine(parsed, url, engine_options)
    except (sa_exc.NoSuchModuleError, ImportError) as error:
        raise ConfigurationError(
            f"cannot load the driver for {parsed.drivername!r} ({error}); install "
            f"crmkit[postgresql] for postgresql+psycopg or crmkit[mysql] for mysql+pymysql."
        ) from None


def _engine(parsed: URL, url: str, engine_options: dict[str, Any]) -> Engine:
    url = masked(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ConfigurationError(
                f"{url!r} is an in-memory SQLite database, which cannot isolate concurrent "
                f"units of work; use a file (sqlite:///crm.db) or crmkit's memory:// storage.",
            )
        engine = create_engine(parsed, **engine_options)
        _configure_sqlite(engine)
        return engine
    # No pool pre-ping (a round trip per unit of work): a unit of work whose first
    # statement finds its pooled connection dropped reconnects and runs it again (see
    # SqlSession.execute).
    if backend in {"mysql", "mariadb"}:
        engine_options.setdefault("isolation_level", "READ COMMITTED")
        return create_engine(parsed, **engine_options)
    if backend == "postgresql":
        # Positional parameters (%s): psycopg then neither checks nor reorders a dict of
        # named ones for every statement (about 2 % of a confirm's Python work).
        engine_options.setdefault("paramstyle", "format")
        return create_engine(parsed, **engine_options)
    raise ConfigurationError(
        f"crmkit does not support the database {backend!r} ({url!r}); use sqlite, "
        f"postgresql+psycopg or mysql+pymysql.",
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
