"""The base of the SQL repositories that write one record type's rows by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, Table, select

from crmkit.adapters.session_uow import SessionRepository
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import set_columns, update_params, versioned_update
from crmkit.domain import CrmkitError

_KEYS = ("tenant_id", "id")


class SqlRepository(SessionRepository[SqlSession]):
    """A repository over a SQL session, confined to the session's tenant."""

    def _write_over(
        self,
        table: Table,
        entity: str,
        record: Any,
        row: dict[str, Any],
        on_unique: Callable[[str], CrmkitError] | None = None,
    ) -> None:
        """Write ``row`` over ``record`` if its stored version is still ``record.version``.

        Raises:
            WrongTenant: the record is another tenant's.
            NotFound, ConcurrencyConflict: the record is gone, or another writer changed it.
        """
        self._same_tenant(entity, record.id, record.tenant_id)

        def check(count: int) -> None:
            if count != 1:
                self._stale(table, entity, record.id, record.version, table.c.id == record.id)

        self._session.write(  # checked when sent (at once, or queued: see write_behind.py)
            versioned_update(table, _KEYS, set_columns(row, _KEYS)),
            update_params(row, _KEYS, record.version),
            on_unique=on_unique,
            check=check,
        )

    def _stale(
        self, table: Table, entity: str, record_id: object, version: int, where: ColumnElement[bool]
    ) -> NoReturn:
        """Raise the error of a write that matched no row (``where``, in this tenant)."""
        stored = self._session.execute(
            select(table.c.version).where(table.c.tenant_id == self._tenant, where)
        ).scalar_one_or_none()
        raise self._lost_update(entity, record_id, stored, version)
