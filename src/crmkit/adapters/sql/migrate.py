"""Schema migrations: upgrade a database to the tables this crmkit version uses.

crmkit's Alembic revisions form one branch labelled ``crmkit`` (:data:`BRANCH_LABEL`), kept in
:data:`VERSION_LOCATION`. crmkit runs them itself with its own version table, or an
application runs them from its own Alembic environment beside its own revisions (multiple
bases), with :func:`include_object` keeping its autogenerate away from crmkit's tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from crmkit.adapters.sql.engine import create_crmkit_engine
from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata
from crmkit.adapters.sql.tables.base import TABLE_OPTIONS
from crmkit.adapters.sql.tables.records import record_schema
from crmkit.domain import ConfigurationError
from crmkit.domain.records import RecordType

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_LOCATION = str(MIGRATIONS / "versions")
"""The folder of crmkit's revision files, for an application's ``version_locations``."""
BRANCH_LABEL = "crmkit"
"""The branch label of crmkit's revisions: ``alembic upgrade crmkit@head`` upgrades crmkit only."""
TABLE_NAMES = frozenset(metadata.tables)
"""The names of crmkit's tables (all start with ``crmkit_``)."""

log = logging.getLogger("crmkit.migrations")


def _config(version_table: str = VERSION_TABLE) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["version_table"] = version_table
    return config


@contextmanager
def _connection(target: str | Engine | Connection) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
        return
    engine = create_crmkit_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        if isinstance(target, str):
            engine.dispose()


def upgrade_database(
    target: str | Engine | Connection,
    revision: str = "heads",
    *,
    version_table: str = VERSION_TABLE,
) -> None:
    """Create or upgrade crmkit's tables in the database ``target`` (URL, engine or connection).

    Safe to run on an up-to-date database (it does nothing). crmkit keeps its own revision
    table, ``crmkit_alembic_version``, beside any Alembic history the application has;
    ``version_table`` names another. A ``schema_translate_map`` on the engine or connection
    puts the tables (and the version table) in that schema.

    Raises:
        StorageUnavailable: the database cannot be reached.
        StorageError: the database refused a migration step.
        ConfigurationError: the database is at a revision this crmkit does not know (a newer
            crmkit migrated it), or ``revision`` names none.
    """
    config = _config(version_table)
    with translated(), _connection(target) as connection:
        before = database_revisions(connection, version_table)
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, revision)
        except CommandError as error:
            raise ConfigurationError(
                f"cannot upgrade crmkit's schema to {revision!r}: "
                f"{error}. A newer crmkit may have migrated this database; use that version."
            ) from None
        after = database_revisions(connection, version_table)
    if before != after:
        log.info("crmkit schema upgraded from %s to %s", sorted(before), sorted(after))


def translated_schema(connection: Connection) -> str | None:
    """The schema that the connection's ``schema_translate_map`` puts crmkit's tables in.

    Alembic's version table lookup does not follow the map, so crmkit passes this schema as
    ``version_table_schema``; an application's ``env.py`` that uses the map should do the same.
    """
    mapping = connection.get_execution_options().get("schema_translate_map") or {}
    schema = mapping.get(None)
    return schema if isinstance(schema, str) else None


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def schema_heads() -> set[str]:
    """The revisions this version of crmkit expects a database to be at."""
    return set(_script().get_heads())


def crmkit_revisions() -> set[str]:
    """Every revision id of crmkit's migrations."""
    return {script.revision for script in _script().walk_revisions()}


def database_revisions(connection: Connection, version_table: str = VERSION_TABLE) -> set[str]:
    """The crmkit revisions the database behind ``connection`` is at (empty if none).

    Revisions of the application's own branches in a shared version table are left out.
    """
    opts = {"version_table": version_table, "version_table_schema": translated_schema(connection)}
    context = MigrationContext.configure(connection, opts=opts)
    return set(context.get_current_heads()) & crmkit_revisions()


def current_revisions(url: str, version_table: str | None = None) -> tuple[set[str], set[str]]:
    """(the crmkit revisions the database at ``url`` is at, those this crmkit needs).

    Raises:
        ConfigurationError: the URL is not a usable SQL database URL.
        StorageError: the database cannot be reached.
    """
    engine = create_crmkit_engine(url)
    try:
        with translated(), engine.connect() as connection:
            return database_revisions(connection, version_table or VERSION_TABLE), schema_heads()
    finally:
        engine.dispose()


def revision_history() -> list[tuple[str, str | None, str]]:
    """crmkit's revisions, newest first: (revision, down revision, one-line description)."""
    history = []
    for script in _script().walk_revisions():
        down = script.down_revision
        history.append(
            (
                script.revision,
                down if isinstance(down, str) or down is None else ", ".join(down),
                script.doc or "",
            )
        )
    return history


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For an application's Alembic ``env.py``: leave crmkit's tables to crmkit.

    Pass it as ``context.configure(..., include_object=include_object)``; autogenerate then
    neither proposes to drop crmkit's tables (or its version table) nor to change their
    columns, indexes or constraints.
    """
    del reflected, compare_to
    if type_ == "table":
        return not _is_crmkit_table(name)
    table = getattr(obj, "table", None)
    table_name = getattr(table, "name", None)
    return not _is_crmkit_table(table_name)


def _is_crmkit_table(name: str | None) -> bool:
    return name is not None and (name in TABLE_NAMES or name == VERSION_TABLE)


def create_table(name: str, *items: Any) -> None:
    """``op.create_table`` with crmkit's table options (in a revision only)."""
    op.create_table(name, *items, **TABLE_OPTIONS)


def create_index(table: str, *columns: str, unique: bool = False) -> None:
    """The index on ``columns`` named as the naming convention names it (in a revision only)."""
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=unique)


def create_field_indexes(table: str, *fields: str) -> None:
    """An index ``ix_<table>_<field>`` on (tenant_id, field, id) for each of ``fields``, the
    indexes of a record type's indexed fields (in a revision only)."""
    for field in fields:
        op.create_index(f"ix_{table}_{field}", table, ["tenant_id", field, "id"])


def create_record_tables(*record_types: RecordType[Any]) -> None:
    """Create the tables (keys and indexes included) of ``record_types`` (in a revision only).

    The tables are generated from the declarations exactly as ``record_table`` declares
    them, so a revision that adds plain record types is one call. Before a declaration
    changes whose table a released revision created, write that table out in full in the
    released revision and alter it in a new one (docs/extending.md);
    tests/storage/test_sql_schema.py compares the migrated schema with the metadata.
    """
    for record_type in record_types:
        create_table(record_type.table_name, *record_schema(record_type))


def drop_record_tables(*record_types: RecordType[Any]) -> None:
    """Drop the tables of ``record_types``, last first (the downgrade of the above)."""
    for record_type in reversed(record_types):
        op.drop_table(record_type.table_name)
