"""Driver errors become crmkit errors in one place per backend, with a retryable flag."""

from __future__ import annotations

import pickle

import psycopg
import pymysql  # type: ignore[import-untyped]  # no stubs installed
import pytest
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError
from sqlalchemy import exc as sa_exc

from crmkit.adapters.mongo.errors import translated as mongo_translated
from crmkit.adapters.sql.errors import translate
from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    DuplicateRecord,
    NotFound,
    StorageError,
    StorageUnavailable,
    ValidationError,
)
from crmkit.domain.errors import shown


def _wrapped(orig: Exception, *, invalidated: bool = False) -> sa_exc.DBAPIError:
    return sa_exc.OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


class TestRetryableFlag:
    """Every crmkit error says whether running the same command again may succeed."""

    def test_only_conflicts_and_unavailable_storage_are_retryable(self) -> None:
        """ConcurrencyConflict and StorageUnavailable are retryable; the rest are not."""
        assert ConcurrencyConflict.retryable
        assert StorageUnavailable.retryable
        assert not CrmkitError.retryable
        assert not ValidationError.retryable
        assert not NotFound.retryable
        assert not StorageError.retryable

    def test_storage_unavailable_has_a_stable_code_and_pickles(self) -> None:
        """StorageUnavailable is a StorageError with code storage_unavailable, across processes."""
        error = StorageUnavailable("gone")
        assert isinstance(error, StorageError)
        assert error.code == "storage_unavailable"
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is StorageUnavailable
        assert copy.message == "gone"


class TestSqlTranslation:
    """adapters.sql.errors.translate maps SQLAlchemy and driver errors."""

    @pytest.mark.parametrize(
        "orig",
        [
            psycopg.errors.AdminShutdown("terminating connection"),
            psycopg.errors.ConnectionFailure("connection failure"),
            psycopg.OperationalError("connection refused"),
            pymysql.err.OperationalError(2013, "Lost connection to server during query"),
            pymysql.err.OperationalError(2003, "Can't connect"),
            pymysql.err.OperationalError(1053, "Server shutdown in progress"),
        ],
        ids=["pg-shutdown", "pg-08006", "pg-refused", "my-2013", "my-2003", "my-1053"],
    )
    def test_lost_or_refused_connections_are_storage_unavailable(self, orig: Exception) -> None:
        """A server going away or refusing connections is StorageUnavailable."""
        assert isinstance(translate(_wrapped(orig)), StorageUnavailable)

    def test_an_invalidated_connection_is_storage_unavailable(self) -> None:
        """SQLAlchemy's own disconnect detection counts, whatever the driver said."""
        error = _wrapped(pymysql.err.InternalError(1234, "odd"), invalidated=True)
        assert isinstance(translate(error), StorageUnavailable)

    def test_pool_timeouts_are_storage_unavailable(self) -> None:
        """No free pooled connection in time is StorageUnavailable."""
        assert isinstance(translate(sa_exc.TimeoutError("QueuePool limit")), StorageUnavailable)

    def test_unique_violations_and_conflicts_use_the_given_factories(self) -> None:
        """A duplicate key goes to on_unique, a deadlock to on_conflict, others StorageError."""
        duplicate = sa_exc.IntegrityError(
            "INSERT", {}, pymysql.err.IntegrityError(1062, "Duplicate entry 'x' for key 'uq_x'")
        )
        deadlock = _wrapped(pymysql.err.OperationalError(1213, "Deadlock found"))
        other = sa_exc.ProgrammingError("SELECT", {}, pymysql.err.ProgrammingError(1146, "no"))

        def on_unique(constraint: str) -> CrmkitError:
            return DuplicateRecord("Thing", "key", constraint, "t")

        def on_conflict() -> CrmkitError:
            return ConcurrencyConflict("Thing", "1", "t", "deadlock")

        unique = translate(duplicate, on_unique, on_conflict)
        assert isinstance(unique, DuplicateRecord)
        assert unique.details["value"] == "uq_x"
        assert isinstance(translate(deadlock, on_unique, on_conflict), ConcurrencyConflict)
        assert type(translate(other, on_unique, on_conflict)) is StorageError

    def test_a_crmkit_error_from_a_bind_check_is_passed_on(self) -> None:
        """A column type refusing a value surfaces as that crmkit error."""
        refused = ValidationError("a key column was given int")
        error = sa_exc.StatementError("bind failed", "SELECT", {}, refused)
        assert translate(error) is refused


class TestMongoTranslation:
    """adapters.mongo.errors.translated maps pymongo errors."""

    @pytest.mark.parametrize(
        "error",
        [
            AutoReconnect("connection closed"),
            ServerSelectionTimeoutError("no primary"),
            OperationFailure("shutting down", code=91),
            OperationFailure("interrupted at shutdown", code=11600),
        ],
        ids=["reconnect", "selection", "91", "11600"],
    )
    def test_unreachable_or_stopping_servers_are_storage_unavailable(
        self, error: Exception
    ) -> None:
        """Network errors and shutdown codes become StorageUnavailable."""
        with pytest.raises(StorageUnavailable), mongo_translated():
            raise error

    def test_other_failures_are_storage_errors(self) -> None:
        """Any other pymongo failure is StorageError, with a bounded message."""
        with pytest.raises(StorageError) as raised, mongo_translated():
            raise OperationFailure("x" * 10_000, code=2)
        assert type(raised.value) is StorageError
        assert len(str(raised.value)) < 400


class TestShownValues:
    """Messages quote values cut to a readable length."""

    def test_long_values_are_cut_with_their_length(self) -> None:
        """A 100,000-character value is quoted as its first characters and its length."""
        text = shown("x" * 100_000)
        assert len(text) < 100
        assert "100002 characters" in text

    def test_short_values_are_quoted_whole(self) -> None:
        """A short value is its repr."""
        assert shown("SKU-1") == "'SKU-1'"
