"""A multi-document transaction shared by the repositories of a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from pymongo import MongoClient, ReadPreference
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from crmkit.adapters.mongo.errors import translated
from crmkit.domain import ConcurrencyConflict, CrmkitError, TenantId

T = TypeVar("T")

COMMIT_ATTEMPTS = 3


class MongoSession:
    """A client session running one snapshot transaction at a time (MongoDB >= 4.2 replica set)."""

    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        database: Database[dict[str, Any]],
        tenant_id: TenantId,
    ) -> None:
        self.tenant_id = tenant_id
        self.database = database
        with translated(None, self._conflict):
            self.session: ClientSession = client.start_session()

    def run(
        self,
        operation: Callable[[ClientSession], T],
        *,
        on_duplicate: Callable[[str], CrmkitError] | None = None,
    ) -> T:
        """Run ``operation`` in the transaction; on any error abort the unit of work and raise.

        Starting the transaction, the operation and (in :meth:`commit`) committing all go
        through :func:`~crmkit.adapters.mongo.errors.translated`.
        """
        try:
            with translated(on_duplicate, self._conflict):
                if not self.session.in_transaction:
                    self.session.start_transaction(
                        read_concern=ReadConcern("snapshot"),
                        write_concern=WriteConcern("majority"),
                        read_preference=ReadPreference.PRIMARY,
                    )
                return operation(self.session)
        except BaseException:
            self.rollback()
            raise

    def fail(self, error: CrmkitError) -> CrmkitError:
        """Abort the unit of work and return ``error`` for the caller to raise."""
        self.rollback()
        return error

    def commit(self) -> None:
        if not self.session.in_transaction:
            return
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            try:
                with translated(None, self._conflict):
                    self.session.commit_transaction()
                return
            except CrmkitError as error:
                unknown = isinstance(error.__cause__, PyMongoError) and (
                    error.__cause__.has_error_label("UnknownTransactionCommitResult")
                )
                if unknown and attempt < COMMIT_ATTEMPTS:
                    continue  # committing again is safe: the server deduplicates it
                self.rollback()
                raise

    def rollback(self) -> None:
        if self.session.in_transaction:
            # If aborting fails the server discards the unfinished transaction by itself.
            with suppress(PyMongoError):
                self.session.abort_transaction()

    def close(self) -> None:
        self.rollback()
        with suppress(PyMongoError):
            self.session.end_session()

    def _conflict(self) -> CrmkitError:
        return ConcurrencyConflict(
            "transaction",
            None,
            self.tenant_id,
            "MongoDB reported a write conflict with another transaction",
        )
