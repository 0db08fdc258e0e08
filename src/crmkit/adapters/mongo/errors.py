"""Translation of pymongo errors into crmkit errors, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from crmkit.domain import CrmkitError, StorageError, StorageUnavailable

WRITE_CONFLICT = 112
NO_SUCH_TRANSACTION = 251
# Server codes meaning the server is shutting down or the primary changed.
_UNAVAILABLE = {
    91,  # ShutdownInProgress
    189,  # PrimarySteppedDown
    10107,  # NotWritablePrimary
    11600,  # InterruptedAtShutdown
    11602,  # InterruptedDueToReplStateChange
    13435,  # NotPrimaryNoSecondaryOk
    13436,  # NotPrimaryOrSecondary
}


def is_unavailable(error: PyMongoError) -> bool:
    """Whether the server could not be reached, the connection dropped or it is shutting down."""
    if isinstance(error, ConnectionFailure):  # AutoReconnect, timeouts, server selection
        return True
    return isinstance(error, OperationFailure) and error.code in _UNAVAILABLE


def is_conflict(error: PyMongoError) -> bool:
    """Whether another transaction got in the way (worth retrying the whole unit of work)."""
    if error.has_error_label("TransientTransactionError"):
        return True
    return isinstance(error, OperationFailure) and error.code in {
        WRITE_CONFLICT,
        NO_SUCH_TRANSACTION,
    }


@contextmanager
def translated(
    on_duplicate: Callable[[str], CrmkitError] | None = None,
    on_conflict: Callable[[], CrmkitError] | None = None,
) -> Iterator[None]:
    """Run a MongoDB call and raise crmkit errors instead of pymongo errors.

    The one mapping of the MongoDB adapters: a duplicate key goes to ``on_duplicate``
    (which receives the violated unique index), a transient transaction error to
    ``on_conflict``, an unreachable or stopping server is :class:`StorageUnavailable`,
    anything else :class:`StorageError`.
    """
    try:
        yield
    except DuplicateKeyError as error:
        if on_duplicate is None:
            raise StorageError(f"unexpected duplicate key: {error}") from error
        details = error.details or {}
        index = str(details.get("keyPattern") or details.get("errmsg") or error)
        raise on_duplicate(index) from error
    except PyMongoError as error:
        if on_conflict is not None and is_conflict(error):
            raise on_conflict() from error
        if is_unavailable(error):
            raise StorageUnavailable(
                f"MongoDB is unreachable or stopping ({str(error)[:200]}); nothing was "
                f"committed unless this happened during commit. Retry once it is back: "
                f"keyed commands are safe to repeat.",
            ) from error
        raise StorageError(f"MongoDB refused the operation: {str(error)[:200]}") from error
