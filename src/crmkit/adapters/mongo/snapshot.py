"""Every document a tenant has in crmkit's collections (for tests comparing state, and export)."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from crmkit.adapters.mongo.errors import translated


def tenant_documents(database: Database[dict[str, Any]], tenant_id: str) -> dict[str, list[Any]]:
    """Each collection's documents of ``tenant_id``, without MongoDB's ``_id``.

    Raises:
        StorageUnavailable: the server cannot be reached.
        StorageError: the server refused a query.
    """
    with translated():
        return {
            name: list(database[name].find({"tenant_id": tenant_id}, {"_id": 0}))
            for name in sorted(database.list_collection_names())
        }
