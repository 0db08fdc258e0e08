"""Ports of the order lifecycle: document counters, the outbox and its consumers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from crmkit.domain.outbox import ConsumerPosition, OutboxEvent


class DocumentCounterRepository(Protocol):
    """The tenant's number series (document numbers, outbox positions)."""

    def claim(self, series: str) -> None:
        """Lock ``series`` for the rest of the unit of work where a later :meth:`take`
        could otherwise fail (call it as the unit of work's first step).

        MongoDB's snapshot transactions fail a write to a document that another
        transaction committed after this one began, so a counter taken at the end of a
        long unit of work conflicts with every command that committed meanwhile; claimed
        first, commands queue on the counter instead (each waits only while another holds
        it). SQL backends lock at :meth:`take` and wait there, and the in-memory storage
        checks at commit: for them this is a no-op, which keeps their locks short.

        Raises:
            ConcurrencyConflict: another unit of work holds the series.
        """
        ...

    def take(self, series: str, count: int = 1) -> int:
        """Advance ``series`` by ``count`` and return its new last number.

        The counter stays locked (or version-checked) until the unit of work ends, so
        concurrent units of work never take the same number, and numbers taken by a unit
        of work that rolls back are taken again by the next one.

        Raises:
            ConcurrencyConflict: another unit of work advanced the series first.
        """
        ...


class OutboxRepository(Protocol):
    """The tenant's outbox: events in position order."""

    def append(self, events: Sequence[OutboxEvent]) -> None:
        """Store events (their positions taken from the ``outbox`` counter).

        Raises:
            ConcurrencyConflict: a position is taken already (a concurrent writer).
            WrongTenant: an event belongs to another tenant.
        """
        ...

    def after(self, position: int, limit: int) -> list[OutboxEvent]:
        """Up to ``limit`` events with positions above ``position``, in position order."""
        ...


class OutboxConsumerRepository(Protocol):
    """The acknowledged positions of the tenant's named outbox consumers."""

    def get(self, name: str) -> ConsumerPosition | None:
        """The consumer's position, or ``None`` if it never acknowledged anything."""
        ...

    def add(self, position: ConsumerPosition) -> None:
        """Store a new consumer position.

        Raises:
            ConcurrencyConflict: the consumer was added concurrently.
        """
        ...

    def update(self, position: ConsumerPosition) -> ConsumerPosition:
        """Store a changed position and return it with its version incremented.

        Raises:
            ConcurrencyConflict: the stored version differs (another writer won).
        """
        ...
