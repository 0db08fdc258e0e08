"""SQL storage through SQLAlchemy 2 Core: SQLite (embedded default), PostgreSQL, MariaDB/MySQL."""

from crmkit.adapters.sql.engine import create_crmkit_engine
from crmkit.adapters.sql.migrate import upgrade_database
from crmkit.adapters.sql.storage import SqlStorage, SqlUnitOfWork

__all__ = ["SqlStorage", "SqlUnitOfWork", "create_crmkit_engine", "upgrade_database"]
