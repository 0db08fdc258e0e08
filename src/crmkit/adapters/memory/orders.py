"""The in-memory document counters, outbox and outbox consumer repositories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from crmkit.adapters.memory.tables import TENANT, TableRepository, WriteRejected
from crmkit.domain import ConcurrencyConflict, TenantId
from crmkit.domain.outbox import ConsumerPosition, DocumentCounter, OutboxEvent
from crmkit.domain.versioning import evolved

CounterKey = tuple[TenantId, str]
EventKey = tuple[TenantId, int]


def conflict_error(entity: str) -> Callable[[WriteRejected, Any], Exception]:
    """Every rejected write of these records means another unit of work got there first."""

    def error(rejected: WriteRejected, record: Any) -> Exception:
        key = rejected.key
        shown = str(key[1]) if isinstance(key, tuple) else str(key)
        return ConcurrencyConflict(
            entity, shown, record.tenant_id, "another unit of work wrote it first"
        )

    return error


class InMemoryDocumentCounterRepository(TableRepository[CounterKey, DocumentCounter]):
    def claim(self, series: str) -> None:
        """Nothing: conflicts are found at commit, whatever the order of the writes."""

    def take(self, series: str, count: int = 1) -> int:
        current = self._tx.get((self._tenant, series))
        try:
            if current is None:
                self._tx.insert(DocumentCounter(self._tenant, series, count))
                return count
            saved = evolved(current, value=current.value + count, version=current.version + 1)
            self._tx.update(saved)
        except Exception:
            self._rollback()
            raise
        return saved.value


class InMemoryOutboxRepository(TableRepository[EventKey, OutboxEvent]):
    def append(self, events: Sequence[OutboxEvent]) -> None:
        try:
            for event in events:
                if event.tenant_id != self._tenant:
                    self._same_tenant("OutboxEvent", event.position, event.tenant_id)
                self._tx.insert(event)
        except Exception:
            self._rollback()
            raise

    def after(self, position: int, limit: int) -> list[OutboxEvent]:
        mine = [e for e in self._tx.rows_in(TENANT, self._tenant) if e.position > position]
        return sorted(mine, key=lambda e: e.position)[:limit]


class InMemoryOutboxConsumerRepository(TableRepository[CounterKey, ConsumerPosition]):
    def get(self, name: str) -> ConsumerPosition | None:
        return self._tx.get((self._tenant, name))

    def add(self, position: ConsumerPosition) -> None:
        self._insert(position, "OutboxConsumer", position.name)

    def update(self, position: ConsumerPosition) -> ConsumerPosition:
        return self._update(position, "OutboxConsumer", position.name)
