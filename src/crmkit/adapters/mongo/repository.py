"""The base of the MongoDB repositories that write one record type's documents by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.collection import Collection

from crmkit.adapters.mongo.session import MongoSession
from crmkit.adapters.session_uow import SessionRepository
from crmkit.domain import CrmkitError


class MongoRepository(SessionRepository[MongoSession]):
    """A repository over a MongoDB session, confined to the session's tenant."""

    def _write_over(
        self,
        collection: Collection[dict[str, Any]],
        record: Any,
        document: dict[str, Any],
        *,
        entity: str,
        key: dict[str, Any],
        on_duplicate: Callable[[str], CrmkitError] | None = None,
    ) -> None:
        """Set ``document`` over the stored ``record`` (found by ``key`` in this tenant) if
        its stored version is still ``record.version``.

        Raises:
            WrongTenant: the record is another tenant's.
            NotFound, ConcurrencyConflict: the record is gone, or another writer changed it.
        """
        self._same_tenant(entity, record.id, record.tenant_id)
        where = {"tenant_id": self._tenant, **key}
        result = self._session.run(
            lambda s: collection.update_one(
                {**where, "version": record.version}, {"$set": document}, session=s
            ),
            on_duplicate=on_duplicate,
        )
        if result.matched_count != 1:
            stored = self._session.run(
                lambda s: collection.find_one(where, {"version": 1}, session=s)
            )
            version = None if stored is None else stored["version"]
            raise self._lost_update(entity, record.id, version, record.version)
