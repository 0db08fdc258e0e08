"""Pools (公海 for customers, 线索池 for leads): one mechanism, rules evaluated against a clock.

A pooled record (a :class:`~crmkit.domain.front_office.customers.Customer` or a
:class:`~crmkit.domain.front_office.leads.Lead`) carries its pool state in the same
fields: the pool it belongs to, its owner and since when, its last follow-up, and who
returned it last and when. :func:`holding` reads that state against a moment: once past
its auto-return deadline a record is back in the pool, whether or not a sweep has run.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis

MAX_CLAIM_LIMIT = 1000


class PoolKind(enum.Enum):
    """What a pool holds."""

    CUSTOMER = "customer"
    """A public pool (公海)."""
    LEAD = "lead"
    """A lead pool (线索池)."""


class Assignment(enum.Enum):
    """How a manager's automatic assignment picks the rep."""

    ROUND_ROBIN = "round_robin"
    BY_REGION = "by_region"


@attrs.frozen
class Pool:
    """A pool of customers or leads with its members (reps) and rules.

    ``claim_limit`` bounds the records a rep may own from this pool at once;
    ``cool_down_minutes`` is how long a rep waits before claiming back a record it
    returned; ``return_after_days`` (if set) returns an owned record that many days
    after its last follow-up (or its claim, if none since); ``return_without_win_days``
    (if set) returns it that many days after its last won deal (or its claim).
    """

    id: str
    tenant_id: TenantId
    code: str
    name: str
    kind: PoolKind
    region: str | None
    industry: str | None
    claim_limit: int
    cool_down_minutes: int
    return_after_days: int | None
    return_without_win_days: int | None
    assignment: Assignment
    members: tuple[str, ...]
    next_turn: int
    active: bool
    created_at: datetime
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        code: str,
        name: str,
        kind: PoolKind,
        claim_limit: int,
        now: datetime,
        cool_down_minutes: int = 0,
        return_after_days: int | None = None,
        return_without_win_days: int | None = None,
        assignment: Assignment = Assignment.ROUND_ROBIN,
        members: tuple[str, ...] = (),
        region: str | None = None,
        industry: str | None = None,
    ) -> Pool:
        code = clean_text(code, "pool code", max_length=32)
        if not isinstance(kind, PoolKind) or not isinstance(assignment, Assignment):
            raise ValidationError(f"pool {code!r} needs a PoolKind and an Assignment.")
        _bounded(claim_limit, 1, MAX_CLAIM_LIMIT, f"claim limit of pool {code!r}")
        _bounded(cool_down_minutes, 0, 525_600, f"cool-down minutes of pool {code!r}")
        if return_after_days is not None:
            _bounded(return_after_days, 1, 3650, f"return-after days of pool {code!r}")
        if return_without_win_days is not None:
            _bounded(return_without_win_days, 1, 3650, f"days without a win of pool {code!r}")
        if not isinstance(members, tuple) or len(set(members)) != len(members):
            raise ValidationError(f"members of pool {code!r} must be a tuple of distinct ids.")
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            code=code,
            name=clean_text(name, "pool name", max_length=200),
            kind=kind,
            region=clean_optional_text(region, "pool region", max_length=64),
            industry=clean_optional_text(industry, "pool industry", max_length=64),
            claim_limit=claim_limit,
            cool_down_minutes=cool_down_minutes,
            return_after_days=return_after_days,
            return_without_win_days=return_without_win_days,
            assignment=assignment,
            members=tuple(clean_text(m, "member id", max_length=32) for m in members),
            next_turn=0,
            active=True,
            created_at=utc_millis(now),
        )


def _bounded(value: object, low: int, high: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"{what} must be a whole number from {low} to {high}.")


POOLS: RecordType[Pool] = RecordType(
    Pool,
    entity="Pool",
    name="pool",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("name", 200, indexed=True),
        text("kind", 16, indexed=True),
        text("region", 64, nullable=True, indexed=True),
        text("industry", 64, nullable=True, indexed=True),
        scalar("claim_limit", FieldKind.INTEGER),
        scalar("cool_down_minutes", FieldKind.INTEGER),
        scalar("return_after_days", FieldKind.INTEGER, nullable=True),
        scalar("return_without_win_days", FieldKind.INTEGER, nullable=True),
        text("assignment", 16),
        scalar("next_turn", FieldKind.INTEGER),
        scalar("active", FieldKind.BOOLEAN, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    unique=(("code",),),
    nested=("members",),
)


@attrs.frozen
class PoolSeat:
    """A rep's seat in a pool: every claim by the rep updates it (optimistic version).

    Claims by one rep in one pool are thereby serialised on every backend: of two
    concurrent claims that counted the same holdings, one fails to update the seat and
    is retried, so the claim limit holds.
    """

    id: str
    tenant_id: TenantId
    pool_id: str
    user_id: str
    claims: int
    version: int = 1

    @staticmethod
    def key(pool_id: str, user_id: str) -> str:
        """The seat's id: pool and user."""
        return f"{pool_id}:{user_id}"


POOL_SEATS: RecordType[PoolSeat] = RecordType(
    PoolSeat,
    entity="PoolSeat",
    name="pool_seat",
    fields=(
        text("id", 80),
        text("pool_id", 32, indexed=True),
        text("user_id", 32, indexed=True),
        scalar("claims", FieldKind.INTEGER),
    ),
)


class PoolAction(enum.Enum):
    """What happened to a pooled record."""

    CLAIM = "claim"
    ASSIGN = "assign"
    RETURN = "return"
    AUTO_RETURN = "auto_return"
    ENTER = "enter"


@attrs.frozen
class PoolEvent:
    """One line of a pool's history: who claimed, was assigned or returned what, when, why."""

    id: str
    tenant_id: TenantId
    pool_id: str
    subject_type: PoolKind
    subject_id: str
    action: PoolAction
    user_id: str | None
    actor_id: str | None
    reason: str | None
    at: datetime
    seq: int
    """The record's version after the change: orders a record's events within one millisecond."""
    version: int = 1


POOL_EVENTS: RecordType[PoolEvent] = RecordType(
    PoolEvent,
    entity="PoolEvent",
    name="pool_event",
    fields=(
        text("id", 80),
        text("pool_id", 32, indexed=True),
        text("subject_type", 16, indexed=True),
        text("subject_id", 32, indexed=True),
        text("action", 16, indexed=True),
        text("user_id", 32, nullable=True, indexed=True),
        text("actor_id", 32, nullable=True),
        text("reason", 200, nullable=True),
        scalar("at", FieldKind.DATETIME, indexed=True),
        scalar("seq", FieldKind.INTEGER),
    ),
)


@attrs.frozen(kw_only=True)
class Pooled:
    """The pool state every pooled record carries (its class derives from this one)."""

    pool_id: str | None
    owner_id: str | None
    owned_since: datetime | None
    last_follow_up_at: datetime | None
    last_won_at: datetime | None
    returned_by: str | None
    returned_at: datetime | None


def new_pool_state(pool_id: str | None, owner: str | None, now: datetime) -> dict[str, Any]:
    """A new record's pool state (a value for each of :data:`POOL_STATE_FIELDS`): in pool
    ``pool_id`` and/or owned by ``owner`` since ``now``, never followed up nor returned.

    Raises:
        ValidationError: ``pool_id`` is not a short text.
    """
    state: dict[str, Any] = dict.fromkeys((field.name for field in POOL_STATE_FIELDS), None)
    state.update(
        pool_id=clean_optional_text(pool_id, "pool id", max_length=32),
        owner_id=owner,
        owned_since=None if owner is None else utc_millis(now),
    )
    return state


@attrs.frozen
class Holding:
    """A pooled record's state at one moment, with the auto-return rule applied."""

    owner_id: str | None
    returned_by: str | None
    returned_at: datetime | None
    overdue_since: datetime | None
    """When the record went back to the pool by the rule, if it did and no sweep wrote it."""


def return_deadline(record: Pooled, pool: Pool) -> datetime | None:
    """When an owned record goes back to ``pool`` by its rules (``None``: never).

    The earlier of: ``return_after_days`` after the last follow-up (or the claim), and
    ``return_without_win_days`` after the last won deal (or the claim).
    """
    since = record.owned_since
    if record.owner_id is None or since is None:
        return None
    deadlines = []
    if pool.return_after_days is not None:
        last = max(since, record.last_follow_up_at or since)
        deadlines.append(last + timedelta(days=pool.return_after_days))
    if pool.return_without_win_days is not None:
        last = max(since, record.last_won_at or since)
        deadlines.append(last + timedelta(days=pool.return_without_win_days))
    return min(deadlines, default=None)


def holding(record: Pooled, pool: Pool | None, now: datetime) -> Holding:
    """Who owns ``record`` at ``now``: on its deadline or after it, nobody (back in the pool)."""
    deadline = None if pool is None else return_deadline(record, pool)
    if deadline is not None and now >= deadline:
        return Holding(None, record.owner_id, deadline, deadline)
    return Holding(record.owner_id, record.returned_by, record.returned_at, None)


def cool_down_ends(record: Pooled, pool: Pool, user_id: str, now: datetime) -> datetime | None:
    """Until when ``user_id`` may not claim ``record`` back (``None``: it may now)."""
    state = holding(record, pool, now)
    if state.returned_by != user_id or state.returned_at is None:
        return None
    ends = state.returned_at + timedelta(minutes=pool.cool_down_minutes)
    return ends if now < ends else None


POOL_STATE_FIELDS = (
    text("pool_id", 32, nullable=True, indexed=True),
    text("owner_id", 32, nullable=True, indexed=True),
    scalar("owned_since", FieldKind.DATETIME, nullable=True),
    scalar("last_follow_up_at", FieldKind.DATETIME, nullable=True),
    scalar("last_won_at", FieldKind.DATETIME, nullable=True),
    text("returned_by", 32, nullable=True),
    scalar("returned_at", FieldKind.DATETIME, nullable=True),
)
"""The declared fields of the pool state, shared by customers and leads."""
