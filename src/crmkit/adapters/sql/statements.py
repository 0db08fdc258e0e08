"""Statements built once per table and shape, so SQLAlchemy compiles each once.

A statement built afresh for every row (``insert().values(row)``, one ``update()`` with
literal values per record) costs its construction and its cache key on every call: a third
or more of a command's time. The statements here take their values as bound parameters
(``k_<column>`` in WHERE, ``v_<column>`` in SET), are built on first use and reused, and
run with one parameter set per row (an executemany where several rows change).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Integer, Select, Table, Update, bindparam, insert, select, update

from crmkit.adapters.sql.direct import built_once


@built_once
def insert_into(table: Table) -> Insert:
    """``INSERT INTO table`` taking every column from the parameters."""
    return insert(table)


@built_once
def versioned_update(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Update:
    """``UPDATE table SET columns WHERE keys AND version`` (see :func:`update_params`)."""
    c = table.c
    return (
        update(table)
        .where(*(c[k] == bindparam(f"k_{k}") for k in (*keys, "version")))
        .values({name: bindparam(f"v_{name}") for name in columns})
    )


def update_params(row: Mapping[str, Any], keys: Sequence[str], version: int) -> dict[str, Any]:
    """The parameters of :func:`versioned_update` for ``row`` (stored at ``version``)."""
    params = {f"v_{name}": value for name, value in row.items() if name not in keys}
    params.update({f"k_{k}": row[k] for k in keys})
    params["k_version"] = version
    return params


def set_columns(row: Iterable[str], keys: Sequence[str]) -> tuple[str, ...]:
    """The columns of ``row`` an update sets (all but the keys)."""
    return tuple(name for name in row if name not in keys)


@built_once
def select_where(
    table: Table,
    equal: tuple[str, ...],
    *,
    among: str | None = None,
    upto: str | None = None,
    order: tuple[str, ...] = (),
    limited: bool = False,
    lock: bool = False,
) -> Select[Any]:
    """``SELECT * FROM table WHERE <each of equal> = :k_<name> [AND among IN :k_<among>]
    [AND upto IS NOT NULL AND upto <= :k_<upto>] [ORDER BY order] [LIMIT :k_limit]
    [FOR UPDATE]``, built once (parameters from :func:`keyed`)."""
    c = table.c
    query = select(table).where(*(c[k] == bindparam(f"k_{k}") for k in equal))
    if among is not None:
        query = query.where(c[among].in_(bindparam(f"k_{among}", expanding=True)))
    if upto is not None:
        query = query.where(c[upto].is_not(None), c[upto] <= bindparam(f"k_{upto}"))
    if order:
        query = query.order_by(*(c[name] for name in order))
    if limited:
        query = query.limit(bindparam("k_limit", type_=Integer))
    return query.with_for_update() if lock else query


def keyed(**values: Any) -> dict[str, Any]:
    """The parameters ``k_<name>`` of the statements built here."""
    return {f"k_{name}": value for name, value in values.items()}
