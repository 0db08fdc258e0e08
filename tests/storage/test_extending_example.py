"""The worked example of docs/extending.md runs as written, on memory, SQLite and MongoDB.

The example's code blocks are executed as modules; its Alembic revision is applied to an
empty SQLite database and compared with the table generated from the declaration.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine, MetaData

import crmkit.adapters.sql.tables.base as table_base
from crmkit.adapters.clock import FixedClock
from crmkit.adapters.memory import InMemoryStorage
from crmkit.adapters.mongo import MongoStorage
from crmkit.adapters.sql import SqlStorage, create_crmkit_engine, upgrade_database
from crmkit.adapters.sql.tables.base import NAMING_CONVENTION
from crmkit.domain import DuplicateRecord, TenantId
from crmkit.services import Storage
from crmkit.testing.tenants import fresh_tenant

DOC = Path(__file__).resolve().parents[2] / "docs" / "extending.md"
BLOCK = re.compile(r"<!-- example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)


def example_blocks() -> dict[str, str]:
    """The named python blocks of the worked example."""
    return dict(BLOCK.findall(DOC.read_text(encoding="utf-8")))


def run_module(name: str, source: str, extra: dict[str, Any]) -> types.ModuleType:
    """Execute ``source`` as a registered module (attrs resolves annotations through it)."""
    module = types.ModuleType(name)
    module.__dict__.update(extra)
    sys.modules[name] = module
    exec(compile(source, f"{DOC.name}:{name}", "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def example() -> Iterator[dict[str, types.ModuleType]]:
    blocks = example_blocks()
    assert set(blocks) == {"domain", "tables", "revision", "service"}
    domain = run_module("docs_example_domain", blocks["domain"], {})
    names = {"Territory": domain.Territory, "TERRITORIES": domain.TERRITORIES}
    example_tables = MetaData(naming_convention=NAMING_CONVENTION)
    original, table_base.metadata = table_base.metadata, example_tables
    try:  # the example's table goes to a metadata of its own, not crmkit's
        tables = run_module("docs_example_tables", blocks["tables"], names)
    finally:
        table_base.metadata = original
    assert tables.territories.metadata is example_tables
    yield {
        "domain": domain,
        "tables": tables,
        "revision": run_module("docs_example_revision", blocks["revision"], names),
        "service": run_module("docs_example_service", blocks["service"], names),
    }
    for name in ("domain", "tables", "revision", "service"):
        sys.modules.pop(f"docs_example_{name}", None)


@pytest.fixture(scope="module")
def migrated(example: dict[str, types.ModuleType], tmp_path_factory: Any) -> Iterator[Engine]:
    """An SQLite database with crmkit's schema and the example's revision on top."""
    folder = tmp_path_factory.mktemp("example")
    engine = create_crmkit_engine(f"sqlite:///{folder / 'example.db'}")
    upgrade_database(engine)
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        example["revision"].upgrade()
    yield engine
    engine.dispose()


def exercise(storage: Storage, example: dict[str, types.ModuleType]) -> None:
    """Create, refuse a duplicate, and page through territories with the example service."""
    tenant: TenantId = fresh_tenant()
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    service = example["service"].TerritoryService(lambda: storage.unit_of_work(tenant), clock)
    for n, name in enumerate(["North 10", "North 9", "South", "Northeast"]):
        service.create(code=f"T{n}", name=name)
    with pytest.raises(DuplicateRecord):
        service.create(code="T0", name="Again")
    first = service.active_named("North")
    assert [t.name for t in first.items] == ["North 10", "North 9", "Northeast"]
    assert first.next_cursor is None


class TestWorkedExample:
    """docs/extending.md: adding a plain record type."""

    def test_the_revision_creates_exactly_the_generated_table(
        self, example: dict[str, types.ModuleType], migrated: Engine
    ) -> None:
        """Autogenerate finds no difference between the revision and the declaration's table."""
        with migrated.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: (
                        kind != "table" or name == "crmkit_territory"
                    ),
                },
            )
            assert compare_metadata(context, example["tables"].territories.metadata) == []

    def test_the_service_runs_in_memory(self, example: dict[str, types.ModuleType]) -> None:
        """The example service works on the in-memory storage."""
        exercise(InMemoryStorage(), example)

    def test_the_service_runs_on_sqlite(
        self, example: dict[str, types.ModuleType], migrated: Engine
    ) -> None:
        """The example service works on the migrated SQLite database."""
        exercise(SqlStorage(migrated), example)

    @pytest.mark.mongo
    def test_the_service_runs_on_mongodb(
        self, example: dict[str, types.ModuleType], mongo_storage: MongoStorage
    ) -> None:
        """The example service works on MongoDB once the example's indexes exist."""
        indexes = example["tables"].TERRITORY_INDEXES
        for name, models in indexes.items():
            if name not in mongo_storage.database.list_collection_names():
                mongo_storage.database.create_collection(name)
            mongo_storage.database[name].create_indexes(models)
        exercise(mongo_storage, example)
