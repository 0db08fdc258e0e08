"""Allocation strategies: how a requested quantity is split across warehouses.

Pure functions over the warehouses' available quantities; no rounding is needed because
quantities are exact decimals and a split never divides.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.inventory.quantities import ZERO
from crmkit.domain.inventory.warehouse import WarehouseId
from crmkit.domain.quantity import normal_quantity


class AllocationStrategy(enum.Enum):
    """Which warehouses a reservation may take stock from, and in which order."""

    PREFERRED_ONLY = "preferred_only"
    """Only the one preferred warehouse."""
    PRIORITY = "priority"
    """Warehouses by priority (then code), taking what each has: may split."""
    FEWEST_WAREHOUSES = "fewest_warehouses"
    """As few warehouses as possible: one that covers everything if any (by priority),
    otherwise the largest availabilities first."""


class ShortagePolicy(enum.Enum):
    """What happens when not everything can be reserved."""

    ALL_OR_NOTHING = "all_or_nothing"
    """Reserve nothing and raise InsufficientStock."""
    PARTIAL = "partial"
    """Reserve what there is and report the rest as backordered."""


@attrs.frozen
class Candidate:
    """A warehouse that could serve a request, with what it has available."""

    warehouse_id: WarehouseId
    code: str
    priority: int
    available: Decimal = attrs.field(converter=normal_quantity)


@attrs.frozen
class Allocation:
    """The split of a request: quantities per warehouse, and what could not be covered."""

    parts: tuple[tuple[WarehouseId, Decimal], ...]
    backordered: Decimal = attrs.field(converter=normal_quantity)

    @property
    def allocated(self) -> Decimal:
        """The total allocated over all warehouses."""
        return sum((q for _, q in self.parts), ZERO)


def allocate(
    requested: Decimal,
    candidates: Sequence[Candidate],
    strategy: AllocationStrategy,
    preferred: WarehouseId | None = None,
) -> Allocation:
    """Split ``requested`` over ``candidates`` by ``strategy``.

    The parts are positive, each at most its warehouse's availability, and add up to
    ``requested`` minus ``backordered``. The same inputs always give the same split.

    Raises:
        ValidationError: PREFERRED_ONLY without a preferred warehouse.
    """
    usable = [c for c in candidates if c.available > 0]
    by_priority = sorted(usable, key=lambda c: (c.priority, c.code, c.warehouse_id))
    if strategy is AllocationStrategy.PREFERRED_ONLY:
        if preferred is None:
            raise ValidationError(
                "the preferred_only strategy needs a preferred warehouse; pass preferred=...",
            )
        order = [c for c in by_priority if c.warehouse_id == preferred]
    elif strategy is AllocationStrategy.PRIORITY:
        order = by_priority
    else:
        covering = [c for c in by_priority if c.available >= requested]
        order = covering[:1] or sorted(
            by_priority, key=lambda c: (-c.available, c.priority, c.code, c.warehouse_id)
        )
    parts: list[tuple[WarehouseId, Decimal]] = []
    left = requested
    for candidate in order:
        if left <= 0:
            break
        take = min(left, candidate.available)
        parts.append((candidate.warehouse_id, normal_quantity(take)))
        left -= take
    return Allocation(tuple(parts), left)
