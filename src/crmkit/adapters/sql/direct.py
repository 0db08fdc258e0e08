"""Statements built once, run on the driver's cursor below SQLAlchemy's execution layer.

A command sends about twenty statements; each one through ``Connection.execute`` costs
SQLAlchemy's execution context, parameter dictionaries, result metadata and event checks:
about half of the client's CPU in a confirm. The statements built once
(:func:`built_once`, used by ``statements.py``) are compiled here once per dialect and
parameter key set, and then run on the unit of work's driver connection with the
compiled SQL text and the column types' bind and result processors, which SQLAlchemy
would apply: the same SQL, the same values (``Code``, ``UtcDateTime`` and ``ExactDecimal``
checks and conversions included) and the same rows.

Errors go through SQLAlchemy's own handling (``_cursor_execute`` and
``_handle_dbapi_exception``): the driver error is wrapped as SQLAlchemy would wrap it,
a lost connection is invalidated, and cursor events still fire. Statements that need
more than this (an executemany ``INSERT``, which SQLAlchemy turns into multi-row
inserts; a connection with execution options) take the ordinary path.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from functools import cache, wraps
from typing import Any, ParamSpec, Protocol, TypeVar, cast

import sqlalchemy
from sqlalchemy import Connection, Dialect, Executable
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import ExpandedState, SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from crmkit.adapters.sql import binds
from crmkit.adapters.sql.cursors import Cursors, close_quietly

P = ParamSpec("P")
S = TypeVar("S", bound=Executable)

SUPPORTED = sqlalchemy.__version__.startswith("2.1.")
"""Whether this SQLAlchemy is of the series whose private execution API the direct path was
written and tested against (2.1); with any other the ordinary path runs every statement."""

_BUILT_ONCE: dict[int, Executable] = {}
"""The statements built once, by id (kept referenced, so an id is never reused)."""

_EXPANSIONS = 64
"""IN-list lengths whose expanded SQL a plan keeps."""

_PLANS: weakref.WeakKeyDictionary[Dialect, dict[Any, _Plan]] = weakref.WeakKeyDictionary()


class Rows(Protocol):
    """What the SQL repositories use of a statement's result (SQLAlchemy's or ours)."""

    @property
    def rowcount(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def one_or_none(self) -> Any: ...

    def scalar_one(self) -> Any: ...

    def scalar_one_or_none(self) -> Any: ...

    def scalars(self) -> Any: ...


def built_once(build: Callable[P, S]) -> Callable[P, S]:
    """Cache ``build`` (as ``functools.cache``) and run what it builds on the direct path;
    the statement is registered as it is built, so a later call is the cache's lookup alone."""

    @wraps(build)
    def registered(*args: P.args, **kwargs: P.kwargs) -> S:
        statement = build(*args, **kwargs)
        _BUILT_ONCE.setdefault(id(statement), statement)
        return statement

    return cast(Callable[P, S], cache(registered))


def remember(statement: S) -> S:
    """Run ``statement``, which its caller builds once and keeps, on the direct path."""
    _BUILT_ONCE.setdefault(id(statement), statement)
    return statement


def is_built_once(statement: Executable) -> bool:
    """Whether ``statement`` was built by a :func:`built_once` function."""
    return id(statement) in _BUILT_ONCE


def plans_for(dialect: Dialect) -> dict[Any, _Plan]:
    """The compiled plans of ``dialect`` (dropped with the dialect's engine)."""
    plans = _PLANS.get(dialect)
    if plans is None:
        plans = _PLANS[dialect] = {}
    return plans


class _Plan:
    """One statement compiled for one dialect and parameter key set."""

    __slots__ = (
        "compiled",
        "expanded",
        "expanding",
        "fetch",
        "keys",
        "lists",
        "make",
        "processors",
        "row_processors",
    )

    def __init__(self, statement: Executable, dialect: Dialect, keys: list[str], many: bool):
        compiled = cast(ClauseElement, statement).compile(
            dialect=dialect, column_keys=keys, for_executemany=many
        )
        assert isinstance(compiled, SQLCompiler)
        self.compiled = compiled
        self.expanding = bool(compiled.literal_execute_params or compiled.post_compile_params)
        # IN lists whose expansion depends only on their lengths (no literal rendering, no
        # tuples): their expanded SQL is kept by lengths.
        simple = not compiled.literal_execute_params and not any(
            p.type._is_tuple_type or p.literal_execute for p in compiled.post_compile_params
        )
        self.lists = (
            tuple(compiled.bind_names[p] for p in compiled.post_compile_params) if simple else None
        )
        self.expanded: dict[tuple[int, ...], ExpandedState] = {}
        self.processors: Mapping[str, Any] = compiled._bind_processors
        self.make = self._maker(keys)
        self.fetch = bool(compiled._result_columns)
        self.keys = tuple(entry.keyname for entry in compiled._result_columns)
        self.row_processors: list[tuple[int, Callable[[Any], Any]]] | None = None

    def _maker(self, keys: list[str]) -> binds.Maker | None:
        """The driver parameters' maker (see ``binds.py``), when every bound parameter
        comes from ``keys`` with nothing to expand: then the driver parameters are the
        processed values alone, which ``construct_params`` would make (it adds nothing
        but parameters with values of their own or given elsewhere)."""
        compiled = self.compiled
        names = set(compiled.bind_names.values())
        if self.expanding or names != set(keys):
            return None
        order = compiled.positiontup if compiled.positional else sorted(names)
        if order is None:
            return None
        escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
        processors = self.processors
        found = [(name, escaped.get(name, name), processors.get(name)) for name in order]
        return binds.maker(found, compiled.positional, compiled.dialect.execute_sequence_format)

    def driver_parameters(self, values: Mapping[str, Any], group: int | None) -> tuple[str, Any]:
        """The SQL text and driver parameters for ``values`` (as SQLAlchemy's
        ``DefaultExecutionContext._init_compiled`` makes them)."""
        compiled = self.compiled
        if self.make is not None:
            try:
                return compiled.string, self.make(values)
            except KeyError:  # a member of a batch without a key: SQLAlchemy's error below
                pass
        params = compiled.construct_params(values, escape_names=False, _group_number=group)
        assert params is not None
        processors = self.processors
        sql = compiled.string
        positiontup: Sequence[str] | None = compiled.positiontup if compiled.positional else None
        if self.expanding:
            expanded = self._expand(params)
            sql = expanded.statement
            processors = {**processors, **expanded.processors}
            positiontup = expanded.positiontup
        if positiontup is not None:
            ordered = [
                processors[key](params[key]) if key in processors else params[key]
                for key in positiontup
            ]
            return sql, compiled.dialect.execute_sequence_format(ordered)
        escaped = compiled.escaped_bind_names
        return sql, {
            (escaped.get(key, key) if escaped else key): (
                processors[key](value) if key in processors else value
            )
            for key, value in params.items()
        }

    def _expand(self, params: MutableMapping[str, Any]) -> ExpandedState:
        """SQLAlchemy's expansion of the IN lists in ``params`` (which it updates in place,
        as SQLAlchemy does: each list replaced by its numbered elements)."""
        shape = None
        if self.lists is not None:
            try:
                shape = tuple(len(params[name]) for name in self.lists)
            except (TypeError, KeyError):  # SQLAlchemy's own expansion says what is wrong
                shape = None
            known = None if shape is None else self.expanded.get(shape)
            if known is not None:
                for name, names in known.parameter_expansion.items():
                    params.update(zip(names, params.pop(name), strict=True))
                return known
        expanded = self.compiled._process_parameters_for_postcompile(params)
        if shape is not None and len(self.expanded) < _EXPANSIONS:
            self.expanded[shape] = expanded
        return expanded

    def rows(self, cursor: Any, dialect: Dialect) -> list[DirectRow]:
        """The processed rows of ``cursor`` (its result processors found on first use)."""
        processors = self.row_processors
        if processors is None:
            columns = self.compiled._result_columns
            found = [
                entry.type._cached_result_processor(dialect, described[1])
                for entry, described in zip(columns, cursor.description, strict=True)
            ]
            processors = self.row_processors = [
                (index, process) for index, process in enumerate(found) if process is not None
            ]
        keys = self.keys
        made = []
        for raw in cursor.fetchall():
            values = list(raw)
            for index, process in processors:
                values[index] = process(values[index])
            made.append(DirectRow(dict(zip(keys, values, strict=True)), tuple(values)))
        return made


class DirectRow:
    """A result row: ``row._mapping[key]``, ``row.key`` and ``row[index]``."""

    __slots__ = ("_mapping", "_values")

    def __init__(self, mapping: dict[str, Any], values: tuple[Any, ...]) -> None:
        self._mapping = mapping
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, index: int) -> Any:
        return self._values[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class DirectResult:
    """The rows (all fetched) and row count of a statement run on the direct path."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[DirectRow], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[DirectRow]:
        return iter(self._rows)

    def all(self) -> list[DirectRow]:
        return list(self._rows)

    def first(self) -> DirectRow | None:
        return self._rows[0] if self._rows else None

    def one_or_none(self) -> DirectRow | None:
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self.first()

    def scalar_one(self) -> Any:
        row = self.one_or_none()
        if row is None:
            raise NoResultFound("No row was found when one was required")
        return row[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self) -> Iterator[Any]:
        return (row[0] for row in self._rows)


def run(
    connection: Connection,
    plans: dict[Any, _Plan],
    cursors: Cursors,
    statement: Executable,
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
) -> DirectResult | None:
    """Run ``statement`` on ``connection``'s driver cursor; ``None`` if it needs SQLAlchemy's
    own path (an executemany ``INSERT``, an empty parameter list)."""
    many = isinstance(parameters, Sequence)
    first: Mapping[str, Any]
    if many:
        batch = cast(Sequence[Mapping[str, Any]], parameters)
        if not batch:
            return None
        first = batch[0]
        if len(batch) == 1:
            many = False
    else:
        first = cast(Mapping[str, Any], parameters) or {}
    plan = plan_for(connection.dialect, plans, statement, first, many)
    if many and (plan.compiled.isinsert or plan.expanding or plan.fetch):
        return None
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = cursors.take(dbapi_connection)
    try:
        if many:
            send_many(connection, plan, cursor, cast(Sequence[Mapping[str, Any]], parameters))
            result = DirectResult([], cursor.rowcount)
        else:
            result = _run_one(connection, plan, cursor, first)
    except BaseException:
        close_quietly(cursor)
        raise
    cursors.give_back(cursor, dbapi_connection)
    return result


def plan_for(
    dialect: Dialect,
    plans: dict[Any, _Plan],
    statement: Executable,
    first: Mapping[str, Any],
    many: bool,
) -> _Plan:
    """The plan of ``statement`` for the parameter keys of ``first`` (compiled on first use)."""
    key = (id(statement), many, *first)  # the keys in the caller's order: no sort each time
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _Plan(statement, dialect, sorted(first), many)
    return plan


def _run_one(
    connection: Connection, plan: _Plan, cursor: Any, values: Mapping[str, Any]
) -> DirectResult:
    send_one(connection, plan, cursor, values)
    rows = plan.rows(cursor, connection.dialect) if plan.fetch else []
    return DirectResult(rows, cursor.rowcount)


def send_one(connection: Connection, plan: _Plan, cursor: Any, values: Mapping[str, Any]) -> None:
    """Execute ``plan`` with ``values`` on ``cursor`` (its rows and row count left there)."""
    try:
        sql, driver_parameters = plan.driver_parameters(values, None)
    except BaseException as error:  # wrapped (or passed on) as SQLAlchemy would
        connection._handle_dbapi_exception(error, plan.compiled.string, values, None, None)
    if not _plain(connection):
        connection._cursor_execute(cursor, sql, driver_parameters)
        return
    try:  # what _cursor_execute does on a connection without events or echo
        cursor.execute(sql, driver_parameters)
    except BaseException as error:
        connection._handle_dbapi_exception(error, sql, driver_parameters, cursor, None)


def _plain(connection: Connection) -> bool:
    """Whether ``connection`` has no cursor or dialect events, no echo and the default
    ``do_execute``: then ``_cursor_execute`` is the driver's ``execute`` alone."""
    dialect = connection.dialect
    return not (
        connection._has_events
        or connection.engine._has_events
        or connection._echo
        or dialect._has_events
        or type(dialect).do_execute is not DefaultDialect.do_execute
    )


def send_many(
    connection: Connection, plan: _Plan, cursor: Any, batch: Sequence[Mapping[str, Any]]
) -> None:
    """Execute ``plan`` once per parameter set of ``batch`` on ``cursor`` (an executemany)."""
    sql = plan.compiled.string
    try:
        sets = [plan.driver_parameters(values, group)[1] for group, values in enumerate(batch)]
    except BaseException as error:  # wrapped (or passed on) as SQLAlchemy would
        connection._handle_dbapi_exception(error, sql, batch, None, None)
    dialect = connection.dialect
    try:
        events = connection._has_events or connection.engine._has_events
        if events:
            for listener in connection.dispatch.before_cursor_execute:
                sql, sets = listener(connection, cursor, sql, sets, None, True)
        dialect.do_executemany(cursor, sql, sets, None)
        if events:
            connection.dispatch.after_cursor_execute(connection, cursor, sql, sets, None, True)
    except BaseException as error:
        connection._handle_dbapi_exception(error, sql, sets, cursor, None)
