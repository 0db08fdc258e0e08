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
from crmkit.domain import ConcurrencyConflict, ConfigurationError, CrmkitError, TenantId

T = TypeVar("T")

COMMIT_ATTEMPTS = 3


class MongoSession:
    """A client session running one snapshot transaction at a time (MongoDB >= 4.2 replica set).

    With a caller's ``session`` (a transaction begun on it), crmkit works inside that
    transaction: committing a unit of work leaves the commit to the caller; a unit of work
    that fails, or is rolled back explicitly, after it ran a statement aborts the caller's
    transaction (MongoDB has no savepoints to undo only crmkit's part); closing one without
    commit leaves the caller's transaction as it is.
    """

    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        database: Database[dict[str, Any]],
        tenant_id: TenantId,
        session: ClientSession | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.database = database
        self._owned = session is None
        self._pending = False
        if session is None:
            with translated(None, self._conflict):
                session = client.start_session()
        self.session: ClientSession = session

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
        if not self._owned:
            require_transaction(self.session)
        try:
            with translated(on_duplicate, self._conflict):
                if self._owned and not self.session.in_transaction:
                    self.session.start_transaction(
                        read_concern=ReadConcern("snapshot"),
                        write_concern=WriteConcern("majority"),
                        read_preference=ReadPreference.PRIMARY,
                    )
                self._pending = True
                return operation(self.session)
        except BaseException:
            self.rollback()
            raise

    def fail(self, error: CrmkitError) -> CrmkitError:
        """Abort the unit of work and return ``error`` for the caller to raise."""
        self.rollback()
        return error

    def commit(self) -> None:
        self._pending = False
        if not self._owned or not self.session.in_transaction:
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
        pending, self._pending = self._pending, False
        if not self._owned and not pending:
            return  # nothing of this unit of work is in the caller's transaction
        if self.session.in_transaction:
            # If aborting fails the server discards the unfinished transaction by itself.
            with suppress(PyMongoError):
                self.session.abort_transaction()

    def close(self) -> None:
        if self._owned:
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


def require_transaction(session: ClientSession) -> None:
    """Refuse a caller's session that has no transaction begun.

    Raises:
        ConfigurationError: ``session`` is not in a transaction.
    """
    if not session.in_transaction:
        raise ConfigurationError(
            "the pymongo ClientSession handed to crmkit has no transaction begun; call "
            "session.start_transaction() first and commit it yourself, or open crmkit "
            "without a session to let it run its own transactions."
        )
