"""crmkit in an application's SQL database and Alembic environment (needs ``crmkit[sql]``).

In the application's Alembic ``env.py``::

    import crmkit.sql

    context.configure(
        connection=connection,
        target_metadata=app_metadata,
        include_object=crmkit.sql.include_object,  # autogenerate leaves crmkit's tables alone
    )

and in its ``alembic.ini``, ``version_locations = %(here)s/versions <crmkit.sql.VERSION_LOCATION>``
(the revisions carry the branch label ``crmkit``). Then ``alembic upgrade heads`` runs
crmkit's migrations beside the application's, and
``open_crm(engine, version_table="alembic_version")`` accepts the database.
"""

from crmkit.adapters.sql.engine import create_crmkit_engine
from crmkit.adapters.sql.guards import REFUSED_ISOLATION_LEVELS
from crmkit.adapters.sql.migrate import (
    BRANCH_LABEL,
    TABLE_NAMES,
    VERSION_LOCATION,
    include_object,
    translated_schema,
    upgrade_database,
)
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata

__all__ = [
    "BRANCH_LABEL",
    "REFUSED_ISOLATION_LEVELS",
    "TABLE_NAMES",
    "VERSION_LOCATION",
    "VERSION_TABLE",
    "create_crmkit_engine",
    "include_object",
    "metadata",
    "translated_schema",
    "upgrade_database",
]
