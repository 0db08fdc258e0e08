"""The driver cursors a SQL session reuses for its statements (see ``direct.py``)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

__all__ = ["Cursors", "close_all", "close_quietly"]


class Cursors:
    """The driver cursor a session's direct statements reuse (one at a time), and the
    cursors its pipelines reuse (one per statement of a pipeline).

    A cursor is handed back only after a statement (or a whole pipeline) ran and its rows
    were read; after an error it is closed and the next statement opens a new one (as on
    a new connection).
    """

    __slots__ = ("_connection", "_cursor", "_spare", "_spare_connection")

    def __init__(self) -> None:
        self._cursor: Any = None
        self._connection: Any = None
        self._spare: list[Any] = []
        self._spare_connection: Any = None

    def take(self, dbapi_connection: Any) -> Any:
        cursor, self._cursor = self._cursor, None
        if cursor is not None and self._connection is dbapi_connection:
            return cursor
        if cursor is not None:
            close_quietly(cursor)
        return dbapi_connection.cursor()

    def give_back(self, cursor: Any, dbapi_connection: Any) -> None:
        self._cursor, self._connection = cursor, dbapi_connection

    def spare(self, dbapi_connection: Any) -> list[Any]:
        """The cursors of ``dbapi_connection`` a pipeline handed back (its own to keep);
        empty for another connection, whose cursors are closed."""
        spare, self._spare = self._spare, []
        if self._spare_connection is dbapi_connection:
            return spare
        close_all(spare)
        return []

    def keep_spare(self, cursors: list[Any], dbapi_connection: Any) -> None:
        """Keep ``cursors``, which ran a pipeline to its end, for the next pipeline."""
        self._spare.extend(cursors)
        self._spare_connection = dbapi_connection

    def close(self) -> None:
        cursor, self._cursor, self._connection = self._cursor, None, None
        if cursor is not None:
            close_quietly(cursor)
        spare, self._spare, self._spare_connection = self._spare, [], None
        close_all(spare)


def close_quietly(cursor: Any) -> None:
    """Close ``cursor``, ignoring a lost connection."""
    with suppress(Exception):  # a cursor of a lost connection: nothing left to release
        cursor.close()


def close_all(cursors: list[Any]) -> None:
    """Close each of ``cursors``, ignoring lost connections."""
    for cursor in cursors:
        close_quietly(cursor)
