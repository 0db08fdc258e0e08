"""The SQL column types' own bind and result processors give what SQLAlchemy's wrapper
around ``process_bind_param`` and ``process_result_value`` gives, on every dialect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Dialect
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.types import TypeDecorator

from crmkit.adapters.sql import binds
from crmkit.adapters.sql.types import Code, ExactDecimal, UtcDateTime

DIALECTS = [
    pytest.param(postgresql.psycopg.dialect(), id="postgresql"),  # type: ignore[no-untyped-call]
    pytest.param(mysql.pymysql.dialect(), id="mysql"),
    pytest.param(sqlite.pysqlite.dialect(), id="sqlite"),
]
# The type codes the drivers describe these columns with (SQLite's give none).
COLTYPES = {
    ("postgresql", ExactDecimal): 1700,
    ("postgresql", UtcDateTime): 1114,
    ("postgresql", Code): 1043,
    ("mysql", ExactDecimal): 246,
    ("mysql", UtcDateTime): 12,
    ("mysql", Code): 253,
}
TYPES = [ExactDecimal(18, 4), ExactDecimal(12, 2), UtcDateTime(), Code(20)]

zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(minutes=-90))])
values = st.one_of(
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=2, min_value=-(10**9), max_value=10**9),
    st.decimals(places=6, min_value=-(10**6), max_value=10**6),
    st.datetimes(timezones=st.one_of(st.none(), zones)),
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False),
)


def _outcome(process: Callable[[Any], Any] | None, value: Any) -> Any:
    """What ``process`` returns for ``value``, or the type and text of what it raises."""
    if process is None:
        return ("returned", type(value), repr(value))
    try:
        made = process(value)
    except Exception as error:
        return ("raised", type(error), str(error))
    return ("returned", type(made), repr(made))  # repr: NaN equals itself


class TestOwnProcessors:
    @pytest.mark.parametrize("dialect", DIALECTS)
    @pytest.mark.parametrize("column", TYPES, ids=lambda t: type(t).__name__)
    @given(value=values)
    def test_binding_matches_sqlalchemys_processor(
        self, dialect: Dialect, column: TypeDecorator[Any], value: Any
    ) -> None:
        """A value bound by the type's processor is what SQLAlchemy's one makes of it."""
        typed = cast(TypeDecorator[Any], column.dialect_impl(dialect))
        reference: Callable[[Any], Any] | None = TypeDecorator.bind_processor(typed, dialect)
        assert _outcome(typed.bind_processor(dialect), value) == _outcome(reference, value)

    @pytest.mark.parametrize("dialect", DIALECTS)
    @pytest.mark.parametrize("column", TYPES, ids=lambda t: type(t).__name__)
    @given(value=values)
    def test_results_match_sqlalchemys_processor(
        self, dialect: Dialect, column: TypeDecorator[Any], value: Any
    ) -> None:
        """A value read through the type's processor is what SQLAlchemy's one makes of it."""
        typed = cast(TypeDecorator[Any], column.dialect_impl(dialect))
        if isinstance(value, datetime) and isinstance(column, UtcDateTime):
            value = value.replace(tzinfo=None)  # what the drivers return
        coltype = COLTYPES.get((dialect.name, type(column)))
        mine = typed.result_processor(dialect, coltype)
        reference: Callable[[Any], Any] | None = TypeDecorator.result_processor(
            typed, dialect, coltype
        )
        assert _outcome(mine, value) == _outcome(reference, value)


@st.composite
def _statements(draw: st.DrawFn) -> tuple[Dialect, list[tuple[str, str, Any]], dict[str, Any]]:
    """A dialect, a statement's binds (parameter, driver name, the processor of one of
    ``TYPES`` or none) and values for them, some of them possibly missing."""
    dialect = cast(Dialect, draw(st.sampled_from([p.values[0] for p in DIALECTS])))
    columns: list[TypeDecorator[Any] | None] = draw(
        st.lists(st.sampled_from([None, *TYPES]), max_size=8)
    )
    found = []
    for n, column in enumerate(columns):
        process = None if column is None else column.dialect_impl(dialect).bind_processor(dialect)
        found.append((f"v_{n}", f"d {n}'", process))
    given_values = {name: draw(values) for name, _, _ in found if draw(st.integers(0, 9))}
    return dialect, found, given_values


class TestParameterMakers:
    @given(statement=_statements(), positional=st.booleans())
    def test_a_maker_gives_what_the_loop_gives(
        self,
        statement: tuple[Dialect, list[tuple[str, str, Any]], dict[str, Any]],
        positional: bool,
    ) -> None:
        """A plan's generated parameter maker returns (or raises) what the loop does."""
        dialect, found, given_values = statement
        fmt = dialect.execute_sequence_format
        made = binds.maker(found, positional, fmt)
        assert _outcome(made, given_values) == _outcome(
            lambda v: binds.reference(found, positional, fmt, v), given_values
        )
        assert _outcome(binds.maker(found, positional, list), given_values) == _outcome(
            lambda v: binds.reference(found, positional, list, v), given_values
        )
