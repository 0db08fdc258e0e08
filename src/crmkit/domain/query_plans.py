"""Query plans remembered: the same find asked again gets the plan checked the first time.

:func:`~crmkit.domain.record_query.plan_query` checks every filter against the
declaration, which costs more than the find itself on a small table; a service asks the
same finds in every command (a tenant's active approval flows, its warehouses). A plan
depends only on what it was made from, so it is remembered for the finds whose filters
are ``Equals`` of plain text, whole numbers, booleans or ``None``, keyed by each value's
exact type (``True`` and ``1`` are different finds), never for a cursor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crmkit.domain.record_query import Equals, QueryPlan, plan_query
from crmkit.domain.records import RecordType

MAX_PLANS = 512
_PLAIN = frozenset({str, int, bool, type(None)})
_PLANS: dict[tuple[object, ...], tuple[RecordType[Any], QueryPlan]] = {}


def planned(
    record_type: RecordType[Any],
    custom_kinds: Mapping[str, str],
    filters: Sequence[object],
    *,
    order_by: str | None,
    after: str | None,
    limit: int,
) -> QueryPlan:
    """:func:`~crmkit.domain.record_query.plan_query`, remembered (see the module).

    Raises:
        ValidationError: as ``plan_query`` (a refused find is never remembered).
    """
    key = _key(record_type, custom_kinds, filters, order_by, after, limit)
    if key is not None:
        hit = _PLANS.get(key)
        if hit is not None and hit[0] is record_type:
            return hit[1]
    plan = plan_query(
        record_type, custom_kinds, filters, order_by=order_by, after=after, limit=limit
    )
    if key is not None:
        if len(_PLANS) >= MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = (record_type, plan)
    return plan


def _key(  # noqa: PLR0917 -- the arguments of plan_query
    record_type: RecordType[Any],
    custom_kinds: Mapping[str, str],
    filters: Sequence[object],
    order_by: object,
    after: object,
    limit: object,
) -> tuple[object, ...] | None:
    """The find's key, or ``None`` when it is not one to remember."""
    if after is not None or type(limit) is not int or type(order_by) not in _PLAIN:
        return None
    parts: list[object] = []
    for given in filters:
        if type(given) is not Equals or type(given.field) is not str:
            return None
        value = given.value
        if type(value) not in _PLAIN:
            return None
        parts.append((given.field, type(value), value))
    kinds = tuple(custom_kinds.items())
    if any(type(k) is not str or type(v) is not str for k, v in kinds):
        return None
    return (id(record_type), kinds, tuple(parts), order_by, limit)
