"""Translation of pymongo errors into crmkit errors, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from crmkit.domain import CrmkitError, StorageError

WRITE_CONFLICT = 112
NO_SUCH_TRANSACTION = 251


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
    on_duplicate: Callable[[str], CrmkitError] | None,
    on_conflict: Callable[[], CrmkitError],
) -> Iterator[None]:
    """Run a MongoDB call and raise crmkit errors instead of pymongo errors.

    ``on_duplicate`` receives the name of the violated unique index.
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
        if is_conflict(error):
            raise on_conflict() from error
        raise StorageError(f"MongoDB refused the operation: {error}") from error
