"""Column types that store crmkit's values identically on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric, String
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeDecorator, TypeEngine

from crmkit.adapters.sql.binds import passing
from crmkit.domain import ValidationError


def code(length: int) -> TypeEngine[str]:
    """A string compared byte by byte (by code point) on every backend.

    Keys, codes and anything crmkit sorts or keeps unique use it, so that ordering and
    uniqueness agree with Python's ``str`` comparison and with MongoDB.
    """
    return Code(length)


class Code(TypeDecorator[str]):
    """A binary-collated string column that binds only ``str`` values.

    Refusing other types here is the SQL adapters' defence in depth: MariaDB compares an
    int with text numerically (``5`` would match ``'5abc'``), so a non-text value never
    reaches a statement, whatever a repository was handed.
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.VARCHAR(self.length, collation="C"))
        if dialect.name in {"mysql", "mariadb"}:
            return dialect.type_descriptor(
                mysql.VARCHAR(self.length, charset="utf8mb4", collation="utf8mb4_bin")
            )
        return dialect.type_descriptor(String(self.length))

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """SQLAlchemy's processor (``process_bind_param``, then the dialect's own), with
        plain text passed as it is when the dialect has no processor of its own: what the
        check returns for it anyway, without two calls per value."""
        process = super().bind_processor(dialect)
        if process is None or self.load_dialect_impl(dialect).bind_processor(dialect) is not None:
            return process
        checked = process

        @passing(str)
        def bind(value: Any) -> Any:
            return value if value.__class__ is str else checked(value)

        return bind

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ValidationError(
                f"a key or code column was given {type(value).__name__}, not text.",
            )
        return value


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored as naive UTC with millisecond precision."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in {"mysql", "mariadb"}:
            return dialect.type_descriptor(mysql.DATETIME(fsp=3))
        return dialect.type_descriptor(DateTime())

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """SQLAlchemy's processor, with an aware ``datetime`` in UTC made naive in one
        call where the dialect has no processor of its own (what the check returns for
        it: ``astimezone(UTC)`` of a UTC time is the same time)."""
        process = super().bind_processor(dialect)
        if process is None or self.impl_instance.bind_processor(dialect) is not None:
            return process
        checked = process

        def bind(value: Any) -> Any:
            if value.__class__ is datetime and value.tzinfo is UTC:
                return value.replace(tzinfo=None)
            return checked(value)

        return bind

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        """:meth:`process_result_value` without SQLAlchemy's wrapper call, where the
        dialect has no processor of its own."""
        if self.impl_instance.result_processor(dialect, coltype) is not None:
            return super().result_processor(dialect, coltype)

        def result(value: Any) -> Any:
            return None if value is None else value.replace(tzinfo=UTC)

        return result

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValidationError("crmkit stores aware datetimes only; got a naive one.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` with a fixed number of decimals, stored exactly.

    PostgreSQL and MariaDB use ``NUMERIC(precision, scale)``. SQLite has no exact decimal
    type (its NUMERIC goes through float), so there the value is stored as a 64-bit integer
    count of ``10**-scale`` units, which keeps sums and comparisons exact.
    A value with more decimals than ``scale`` is refused rather than rounded silently.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision, scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._step = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """SQLAlchemy's processor, with a ``Decimal`` that has at most ``scale`` decimals
        passed as it is in one call where the value is stored as it is (not on SQLite)
        and the dialect has no processor of its own: what the check returns for it."""
        process = super().bind_processor(dialect)
        if (
            process is None
            or dialect.name == "sqlite"
            or self.impl_instance.bind_processor(dialect) is not None
        ):
            return process
        checked, step = process, self._step

        def bind(value: Any) -> Any:
            if value.__class__ is Decimal and value == value.quantize(step):
                return value
            return checked(value)

        return bind

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        """:meth:`process_result_value` without SQLAlchemy's wrapper call, where the value
        is stored as it is (not on SQLite) and the dialect has no processor of its own."""
        if dialect.name == "sqlite" or self.impl_instance.result_processor(dialect, coltype):
            return super().result_processor(dialect, coltype)
        step = self._step

        def result(value: Any) -> Any:
            return None if value is None else Decimal(value).quantize(step)

        return result

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value != value.quantize(self._step):
            raise ValidationError(
                f"{value} has more than {self.scale} decimals and cannot be stored exactly; "
                f"round it first.",
            )
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale))
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._step)
        return Decimal(value).quantize(self._step)
