"""Pools (公海, 线索池): claim, assign, return, auto-return and history; one mechanism for both.

Every read applies the auto-return rule against the clock (a record past its deadline
is back in the pool); :meth:`PoolService.sweep` only writes that into the records and the
history. Claims by one rep in one pool update the rep's :class:`PoolSeat`
(optimistic version), so concurrent claims cannot both pass the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import attrs

from crmkit.domain import ConcurrencyConflict, ValidationError
from crmkit.domain.front_office.errors import (
    ClaimLimitReached,
    CoolingDown,
    NotInPool,
    NotOwner,
    NotPoolMember,
)
from crmkit.domain.front_office.people import USERS, User
from crmkit.domain.front_office.pools import (
    POOL_EVENTS,
    POOL_SEATS,
    POOLS,
    Assignment,
    Pool,
    PoolAction,
    PoolEvent,
    PoolSeat,
    cool_down_ends,
    holding,
)
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.record_query import Equals
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.front_office.pool_support import (
    PAGE,
    Pooled,
    auto_return,
    label,
    owned_in,
    pool_by_code,
    pooled,
    pooled_type,
    released,
)
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import TenantService


@checked_calls
class PoolService(TenantService):
    """Pools of one tenant: members, claims, assignments, returns and their history."""

    def create_pool(self, pool: Pool) -> Pool:
        """Store a new pool (see :meth:`Pool.new`) and a seat for each member.

        Raises:
            NotFound: a member is not a user of the tenant.
            DuplicateRecord: the tenant has a pool with this code.
        """
        with self._uow() as uow:
            for member in pool.members:
                uow.records(USERS).get(member)
            stored = uow.records(POOLS).add(pool)
            for member in pool.members:
                self._add_seat(uow, pool, member)
            uow.commit()
        return stored

    def add_member(self, pool_code: str, user_id: str) -> Pool:
        """Make a user a member of the pool (no change if it already is).

        Raises:
            NotFound: no such pool or user.
        """

        def run() -> Pool:
            with self._uow() as uow:
                pool = pool_by_code(uow, pool_code)
                user = uow.records(USERS).get(user_id)
                if user.id in pool.members:
                    return pool
                pool = uow.records(POOLS).update(
                    attrs.evolve(pool, members=(*pool.members, user.id))
                )
                if uow.records(POOL_SEATS).get_many([PoolSeat.key(pool.id, user.id)]) == {}:
                    self._add_seat(uow, pool, user.id)
                uow.commit()
                return pool

        return retrying(run)

    def enter(self, pool_code: str, record_id_: str, *, actor_id: str | None = None) -> Pooled:
        """Put an unowned customer or lead into the pool (or move it there).

        Raises:
            NotFound: no such pool or record.
            NotInPool: a rep owns the record; it must be returned first.
        """

        def step(uow: UnitOfWork, pool: Pool, record: Pooled, now: datetime) -> Pooled:
            current = uow.records(POOLS).get(record.pool_id) if record.pool_id else None
            if holding(record, current, now).owner_id is not None:
                raise NotInPool(pool.code, label(record), "a rep owns it")
            return attrs.evolve(record, pool_id=pool.id, owner_id=None, owned_since=None)

        return self._move(
            pool_code, record_id_, PoolAction.ENTER, step, user=None, actor=actor_id, reason=None
        )

    def claim(self, pool_code: str, record_id_: str, *, user_id: str) -> Pooled:
        """A member claims a free record of the pool.

        Raises:
            NotFound: no such pool, record or user.
            NotPoolMember: the user is not an active member.
            NotInPool: the record is owned or belongs to another pool.
            CoolingDown: the user returned it and the cool-down has not ended.
            ClaimLimitReached: the user owns ``claim_limit`` records of the pool.
        """
        return retrying(lambda: self._take(pool_code, record_id_, user_id, None))

    def assign(
        self, pool_code: str, record_id_: str, *, actor_id: str, user_id: str | None = None
    ) -> Pooled:
        """A manager assigns a free record to ``user_id``, or to the rep the pool's rule picks
        (round robin among members, or a member of the record's region).

        Raises:
            NotFound: no such pool, record or user.
            ValidationError: the rule finds no member (no member in the record's region).
            NotPoolMember, NotInPool, ClaimLimitReached: as for :meth:`claim` (no cool-down).
        """
        actor = record_id(actor_id, "actor id")
        return retrying(lambda: self._take(pool_code, record_id_, user_id, actor))

    def give_back(self, pool_code: str, record_id_: str, *, user_id: str, reason: str) -> Pooled:
        """The owner returns a record to the pool, with a reason.

        Raises:
            ValidationError: no reason given.
            NotFound: no such pool or record.
            NotOwner: the user does not own the record (now).
        """
        why = clean_text(reason, "return reason", max_length=200)
        user = record_id(user_id, "user id")

        def step(uow: UnitOfWork, pool: Pool, record: Pooled, now: datetime) -> Pooled:
            state = holding(record, pool, now)
            if record.pool_id != pool.id or state.owner_id != user:
                raise NotOwner(pool.code, label(record), user)
            return released(record, user, now)

        return self._move(
            pool_code, record_id_, PoolAction.RETURN, step, user=user, actor=user, reason=why
        )

    def sweep(self, pool_code: str) -> int:
        """Write the auto-returns due by now into the records and the history.

        Reads already treat overdue records as returned; this only records it. Safe to
        run concurrently: a record another sweep (or a claim) wrote meanwhile is skipped.
        Returns how many records this sweep wrote.
        """
        now = self._now()
        with self._uow() as uow:
            pool = pool_by_code(uow, pool_code)
            due = [r.id for r in self._owned(uow, pool) if holding(r, pool, now).overdue_since]
        written = 0
        for key in due:
            try:
                written += self._sweep_one(pool.code, key, now)
            except ConcurrencyConflict:
                continue
        return written

    def history(self, pool_code: str, record_id_: str) -> list[PoolEvent]:
        """Every claim, assignment and return of a record in the pool, oldest first (at most 200).

        An auto-return that no sweep wrote yet is included as it will be written.
        """
        now = self._now()
        with self._uow() as uow:
            pool, _, record = pooled(uow, pool_code, record_id_)
            events: list[PoolEvent] = [
                e
                for e in uow.records(POOL_EVENTS).every(
                    Equals("subject_id", record.id), order_by="at", page=PAGE
                )
                if e.pool_id == pool.id
            ]
            state = holding(record, pool, now)
            if state.overdue_since is not None and record.pool_id == pool.id:
                events.append(auto_return(pool, record, state.overdue_since))
            return sorted(events, key=lambda e: (e.at, e.seq))

    def owned_count(self, pool_code: str, user_id: str) -> int:
        """How many records of the pool ``user_id`` owns now (auto-return applied)."""
        now = self._now()
        with self._uow() as uow:
            pool = pool_by_code(uow, pool_code)
            user = record_id(user_id, "user id")
            return owned_in(uow.records(pooled_type(pool.kind)), pool, user, now)

    def owner_of(self, pool_code: str, record_id_: str) -> str | None:
        """The record's owner now (``None``: it is free in the pool)."""
        now = self._now()
        with self._uow() as uow:
            pool, _, record = pooled(uow, pool_code, record_id_)
            return holding(record, pool, now).owner_id

    def _take(
        self,
        pool_code: str,
        record_key: str,
        user_id: str | None,
        actor: str | None,
    ) -> Pooled:
        now = self._now()
        with self._uow() as uow:
            pool, records, record = pooled(uow, pool_code, record_key)
            if record.pool_id != pool.id:
                raise NotInPool(pool.code, label(record), "it belongs to another pool")
            state = holding(record, pool, now)
            if state.owner_id is not None:
                raise NotInPool(pool.code, label(record), f"user {state.owner_id!r} owns it")
            if user_id is None:
                if actor is None:
                    raise ValidationError("a claim needs the claiming user.")
                user, pool = self._pick(uow, pool, record)
            else:
                user = self._member(uow, pool, user_id)
            if actor is None:
                ends = cool_down_ends(record, pool, user.id, now)
                if ends is not None:
                    raise CoolingDown(pool.code, label(record), user.login, ends)
            seat = uow.records(POOL_SEATS).get(PoolSeat.key(pool.id, user.id))
            if owned_in(records, pool, user.id, now) >= pool.claim_limit:
                raise ClaimLimitReached(pool.code, user.login, pool.claim_limit)
            uow.records(POOL_SEATS).update(attrs.evolve(seat, claims=seat.claims + 1))
            taken: Pooled = records.update(
                attrs.evolve(
                    record,
                    owner_id=user.id,
                    owned_since=now,
                    last_follow_up_at=None,
                    last_won_at=None,
                    returned_by=state.returned_by,
                    returned_at=state.returned_at,
                )
            )
            if state.overdue_since is not None:  # after the record: a racing sweep conflicts
                uow.records(POOL_EVENTS).add(auto_return(pool, record, state.overdue_since))
            action = PoolAction.CLAIM if actor is None else PoolAction.ASSIGN
            by = actor or user.id
            self._event(uow, pool, taken, action, user=user.id, actor=by, why=None, at=now)
            uow.commit()
            return taken

    def _pick(self, uow: UnitOfWork, pool: Pool, record: Pooled) -> tuple[User, Pool]:
        """The member the pool's rule assigns ``record`` to, and the pool with its turn moved."""
        users = uow.records(USERS).get_many(list(pool.members))
        members = [users[m] for m in pool.members if m in users and users[m].active]
        if pool.assignment is Assignment.BY_REGION:
            members = [m for m in members if m.region is not None and m.region == record.region]
        if not members:
            raise ValidationError(
                f"pool {pool.code!r} has no active member to assign {label(record)} to "
                f"({pool.assignment.value}); add a member first."
            )
        chosen = members[pool.next_turn % len(members)]
        pool = uow.records(POOLS).update(attrs.evolve(pool, next_turn=pool.next_turn + 1))
        return chosen, pool

    def _member(self, uow: UnitOfWork, pool: Pool, user_id: str) -> User:
        user = uow.records(USERS).get(user_id)
        if user.id not in pool.members or not user.active:
            raise NotPoolMember(pool.code, user.login)
        return user

    def _owned(self, uow: UnitOfWork, pool: Pool) -> Iterator[Pooled]:
        records = uow.records(pooled_type(pool.kind))
        pooled = records.every(Equals("pool_id", pool.id), page=PAGE)
        return (r for r in pooled if r.owner_id is not None)

    def _sweep_one(self, pool_code: str, key: str, now: datetime) -> int:
        with self._uow() as uow:
            pool, records, record = pooled(uow, pool_code, key)
            state = holding(record, pool, now)
            if state.overdue_since is None or record.pool_id != pool.id:
                return 0
            records.update(released(record, record.owner_id, state.overdue_since))
            uow.records(POOL_EVENTS).add(auto_return(pool, record, state.overdue_since))
            uow.commit()
            return 1

    def _move(
        self,
        pool_code: str,
        key: str,
        action: PoolAction,
        step: Callable[[UnitOfWork, Pool, Pooled, datetime], Pooled],
        *,
        user: str | None,
        actor: str | None,
        reason: str | None,
    ) -> Pooled:
        """Store what ``step`` makes of the pool's record ``key`` and write it into the
        history as ``action`` by ``user`` and ``actor``, retried after a conflict."""

        def run(uow: UnitOfWork) -> Pooled:
            now = self._now()
            pool, records, record = pooled(uow, pool_code, key)
            moved: Pooled = records.update(step(uow, pool, record, now))
            self._event(uow, pool, moved, action, user=user, actor=actor, why=reason, at=now)
            return moved

        return self._retried(run)

    def _add_seat(self, uow: UnitOfWork, pool: Pool, user_id: str) -> None:
        seat = PoolSeat(PoolSeat.key(pool.id, user_id), uow.tenant_id, pool.id, user_id, 0)
        uow.records(POOL_SEATS).add(seat)

    def _event(
        self,
        uow: UnitOfWork,
        pool: Pool,
        record: Pooled,
        action: PoolAction,
        *,
        user: str | None,
        actor: str | None,
        why: str | None,
        at: datetime,
    ) -> None:
        event = PoolEvent(
            new_id(),
            uow.tenant_id,
            pool.id,
            pool.kind,
            record.id,
            action,
            user,
            actor,
            why,
            at,
            record.version,
        )
        uow.records(POOL_EVENTS).add(event)

    def _now(self) -> datetime:
        return utc_millis(self._clock.now())
