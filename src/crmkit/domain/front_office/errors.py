"""Errors of the front office, each with a stable ``code``."""

from __future__ import annotations

from datetime import datetime

from crmkit.domain.errors import CrmkitError, ValidationError

__all__ = [
    "ClaimLimitReached",
    "CoolingDown",
    "DuplicateCustomer",
    "InactiveCustomer",
    "NotInPool",
    "NotOwner",
    "NotPoolMember",
    "PoolRuleBroken",
]


class PoolRuleBroken(CrmkitError):
    """A pool rule refuses the claim, assignment or return."""

    code = "pool_rule"


class ClaimLimitReached(PoolRuleBroken):
    """The rep already owns as many records from this pool as its limit allows."""

    code = "claim_limit_reached"
    template = (
        "user {user!r} already owns {limit} records from pool {pool!r}, its limit; return one "
        "first or ask a manager to raise the limit."
    )

    def __init__(self, pool: str, user: str, limit: int) -> None:
        self._tell(pool=pool, user=user, limit=limit)


class CoolingDown(PoolRuleBroken):
    """The rep returned this record and its cool-down has not ended."""

    code = "cool_down"
    template = (
        "user {user!r} returned {record} to pool {pool!r} and may claim it back from {until} "
        "on; wait or let another rep claim it."
    )

    def __init__(self, pool: str, record: str, user: str, until: datetime) -> None:
        self._tell(pool=pool, record=record, user=user, until=until.isoformat())


class NotInPool(PoolRuleBroken):
    """The record is owned by a rep, or belongs to another pool."""

    code = "not_in_pool"
    template = "{record} is not free in pool {pool!r}: {why}."

    def __init__(self, pool: str, record: str, why: str) -> None:
        self._tell({"why": why}, pool=pool, record=record)


class NotPoolMember(PoolRuleBroken):
    """The user is not a member of the pool (or not active)."""

    code = "not_pool_member"
    template = (
        "user {user!r} is not an active member of pool {pool!r}; add the user to the pool first."
    )

    def __init__(self, pool: str, user: str) -> None:
        self._tell(pool=pool, user=user)


class NotOwner(PoolRuleBroken):
    """Only the current owner may return the record."""

    code = "not_owner"
    template = "user {user!r} does not own {record} in pool {pool!r}; only its owner returns it."

    def __init__(self, pool: str, record: str, user: str) -> None:
        self._tell(pool=pool, record=record, user=user)


class InactiveCustomer(CrmkitError):
    """Quotes and orders are refused for an inactive customer."""

    code = "inactive_customer"
    template = "customer {customer!r} is inactive; reactivate it before quoting or ordering."

    def __init__(self, customer_code: str) -> None:
        self._tell(customer=customer_code)


class DuplicateCustomer(ValidationError):
    """A customer with the same phone, email or company name exists."""

    code = "duplicate_customer"
    template = (
        "customer {new!r} matches existing customer {existing!r} on {matched_on}; use the "
        "existing customer instead of creating a twin."
    )

    def __init__(self, new: str, existing: str, matched_on: str) -> None:
        self._tell({"new": new}, existing=existing, matched_on=matched_on)
