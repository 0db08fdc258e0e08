"""The SQL document counter, outbox and outbox consumer repositories."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, Update, bindparam, insert, select, update

from crmkit.adapters.session_uow import SessionRepository
from crmkit.adapters.sql.converters import from_row, to_row
from crmkit.adapters.sql.direct import built_once
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import insert_into
from crmkit.adapters.sql.tables import counters, outbox_consumers, outbox_events
from crmkit.domain.outbox import ConsumerPosition, OutboxEvent

_Repository = SessionRepository[SqlSession]


class SqlDocumentCounterRepository(_Repository):
    def claim(self, series: str) -> None:
        """Nothing: :meth:`take` locks the row and concurrent writers wait for it."""

    def take(self, series: str, count: int = 1) -> int:
        params = {"k_tenant_id": self._tenant, "k_series": series, "v_count": count}
        # The UPDATE locks the row until the unit of work ends: concurrent writers queue.
        if self._session.dialect.update_returning:
            value = self._session.execute(_advance(returning=True), params).scalar_one_or_none()
            if value is not None:
                return int(value)
        elif self._session.execute(_advance(returning=False), params).rowcount:
            return int(self._session.execute(_current(), params).scalar_one())
        self._session.execute(
            insert_into(counters),
            {"tenant_id": self._tenant, "series": series, "value": count},
            on_unique=lambda _: self._taken("DocumentCounter", series),
        )
        return count


@built_once
def _advance(*, returning: bool) -> Update:
    t = counters.c
    advance = (
        update(counters)
        .where(t.tenant_id == bindparam("k_tenant_id"), t.series == bindparam("k_series"))
        .values(value=t.value + bindparam("v_count"))
    )
    return advance.returning(t.value) if returning else advance


@built_once
def _current() -> Select[tuple[int]]:
    t = counters.c
    return select(t.value).where(
        t.tenant_id == bindparam("k_tenant_id"), t.series == bindparam("k_series")
    )


class SqlOutboxRepository(_Repository):
    def append(self, events: Sequence[OutboxEvent]) -> None:
        for event in events:
            self._same_tenant("OutboxEvent", event.position, event.tenant_id)
        if not events:
            return
        rows = [{k: v for k, v in to_row(e).items() if k != "version"} for e in events]
        self._session.write(
            insert_into(outbox_events),
            rows,
            on_unique=lambda _: self._taken("OutboxEvent", events[0].position),
        )

    def after(self, position: int, limit: int) -> list[OutboxEvent]:
        t = outbox_events.c
        rows = self._session.execute(
            select(outbox_events)
            .where(t.tenant_id == self._tenant, t.position > position)
            .order_by(t.position)
            .limit(limit)
        )
        return [from_row(row._mapping, OutboxEvent) for row in rows]


class SqlOutboxConsumerRepository(_Repository):
    def get(self, name: str) -> ConsumerPosition | None:
        t = outbox_consumers.c
        row = self._session.execute(
            select(outbox_consumers).where(t.tenant_id == self._tenant, t.name == name)
        ).one_or_none()
        return None if row is None else from_row(row._mapping, ConsumerPosition)

    def add(self, position: ConsumerPosition) -> None:
        self._same_tenant("OutboxConsumer", position.name, position.tenant_id)
        self._session.execute(
            insert(outbox_consumers).values(to_row(position)),
            on_unique=lambda _: self._taken("OutboxConsumer", position.name),
        )

    def update(self, position: ConsumerPosition) -> ConsumerPosition:
        t = outbox_consumers.c
        saved = ConsumerPosition(
            position.tenant_id,
            position.name,
            position.position,
            position.updated_at,
            position.version + 1,
        )
        done = self._session.execute(
            update(outbox_consumers)
            .where(
                t.tenant_id == self._tenant,
                t.name == position.name,
                t.version == position.version,
            )
            .values(position=saved.position, updated_at=saved.updated_at, version=saved.version)
        )
        if done.rowcount != 1:
            raise self._session.fail(self._taken("OutboxConsumer", position.name))
        return saved
