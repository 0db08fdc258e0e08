"""What pool services share: the pooled type of a pool, labels, lookups, holdings, events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs

from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.leads import LEADS, Lead
from crmkit.domain.front_office.pools import (
    POOLS,
    Pool,
    PoolAction,
    PoolEvent,
    PoolKind,
    holding,
    return_deadline,
)
from crmkit.domain.record_query import Equals
from crmkit.domain.records import RecordType
from crmkit.domain.text import clean_text
from crmkit.services.ports import UnitOfWork
from crmkit.services.records import RecordRepository

Pooled = Customer | Lead
PAGE = 200


def pooled_type(kind: PoolKind) -> RecordType[Any]:
    """The record type a pool of ``kind`` holds."""
    return CUSTOMERS if kind is PoolKind.CUSTOMER else LEADS


def label(record: Pooled) -> str:
    """A pooled record as users know it: a customer's code, a lead's company or person."""
    if isinstance(record, Customer):
        return f"customer {record.code!r}"
    return f"lead {record.company or record.person!r}"


def pool_by_code(uow: UnitOfWork, code: object) -> Pool:
    """The pool with this code.

    Raises:
        ValidationError: not a valid code.
        NotFound: no such pool.
    """
    wanted = clean_text(code, "pool code", max_length=32)
    return uow.records(POOLS).get_by("code", wanted)


def pooled(
    uow: UnitOfWork, pool_code: object, key: str
) -> tuple[Pool, RecordRepository[Any], Pooled]:
    """The pool with this code, the records it holds and its record ``key``.

    Raises:
        ValidationError: not a valid code.
        NotFound: no such pool or record.
    """
    pool = pool_by_code(uow, pool_code)
    records = uow.records(pooled_type(pool.kind))
    record: Pooled = records.get(key)
    return pool, records, record


def owned_in(records: RecordRepository[Any], pool: Pool, user_id: str, now: datetime) -> int:
    """How many records of ``pool`` ``user_id`` owns at ``now`` (auto-return applied)."""
    return sum(1 for r in _stored_owned(records, pool, user_id) if holding(r, pool, now).owner_id)


def _stored_owned(records: RecordRepository[Any], pool: Pool, user_id: str) -> Iterator[Any]:
    return records.every(Equals("pool_id", pool.id), Equals("owner_id", user_id), page=PAGE)


def released(record: Pooled, user: str | None, at: datetime) -> Pooled:
    return attrs.evolve(
        record,
        owner_id=None,
        owned_since=None,
        last_follow_up_at=None,
        last_won_at=None,
        returned_by=user,
        returned_at=at,
    )


def auto_return(pool: Pool, record: Pooled, deadline: datetime) -> PoolEvent:
    """The history line of an auto-return; its id is fixed so it is written only once."""
    assert return_deadline(record, pool) == deadline
    return PoolEvent(
        f"{record.id}:{int(deadline.timestamp() * 1000)}",
        record.tenant_id,
        pool.id,
        pool.kind,
        record.id,
        PoolAction.AUTO_RETURN,
        record.owner_id,
        None,
        _why(record, pool, deadline),
        deadline,
        record.version,
    )


def _why(record: Pooled, pool: Pool, deadline: datetime) -> str:
    """Which rule returned the record at ``deadline``."""
    follow_up = attrs.evolve(pool, return_without_win_days=None)
    if return_deadline(record, follow_up) == deadline:
        return f"no follow-up for {pool.return_after_days} days"
    return f"no won deal for {pool.return_without_win_days} days"
