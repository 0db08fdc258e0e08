"""Idempotent commands: a caller-supplied key makes a repeated command return its first result."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from crmkit.domain import ConcurrencyConflict, DuplicateRecord, DuplicateRequest, ValidationError
from crmkit.domain.records import RecordType
from crmkit.domain.requests import ProcessedRequest, request_key
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import DEFAULT_ATTEMPTS, DEFAULT_MAX_DELAY_S, retrying

T = TypeVar("T")
R = TypeVar("R")


class _NotAValue(Exception):
    """A content value of a kind :func:`fingerprint` refuses (named by ``kind``)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _content_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.normalize()) if value else "0"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
    raise _NotAValue(type(value).__name__)


_CONTENT_TEXT = json.JSONEncoder(default=_content_value, sort_keys=True, ensure_ascii=False).encode
"""``json.dumps`` with these options, its encoder made once (it keeps no state)."""


def fingerprint(operation: str, payload: Mapping[str, object]) -> str:
    """A stable digest of a command's content (Decimals by value: 1.0 equals 1.00).

    Raises:
        ValidationError: the payload holds a value that is not text, a number, a date,
            an enum or a collection of those.
    """
    try:
        text = _CONTENT_TEXT([operation, payload])
    except _NotAValue as refused:
        raise ValidationError(
            f"{operation} was given a {refused.kind}, which is not a value of a command."
        ) from None
    # surrogatepass: an unpaired surrogate cannot fail the digest (the services refuse
    # such text before this anyway); every other text encodes as before.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def replay(uow: UnitOfWork, key: str, operation: str, digest: str) -> str | None:
    """The stored result of the request ``key``, or ``None`` if it has not run yet.

    Raises:
        DuplicateRequest: ``key`` was used for another operation or other content.
    """
    done = uow.requests.get(request_key(key))
    if done is None:
        return None
    if done.operation != operation:
        raise DuplicateRequest(key, uow.tenant_id, f"it was used for {done.operation}")
    if done.fingerprint != digest:
        raise DuplicateRequest(key, uow.tenant_id, f"the {operation} had other content")
    return done.result


def remember(
    uow: UnitOfWork, key: str, operation: str, digest: str, *, result: str, now: datetime
) -> None:
    """Record that request ``key`` ran and returned ``result`` (in the same unit of work).

    Raises:
        ConcurrencyConflict: a concurrent request with the same key got there first; run
            the command again and it will return that request's result.
    """
    try:
        uow.requests.add(
            ProcessedRequest(
                tenant_id=uow.tenant_id,
                key=key,
                operation=operation,
                fingerprint=digest,
                result=result,
                created_at=now,
            )
        )
    except DuplicateRecord:
        raise ConcurrencyConflict(
            "ProcessedRequest", key, uow.tenant_id, "a concurrent request used the same key"
        ) from None


def run_once(
    unit_of_work: Callable[[], UnitOfWork],
    key: str,
    operation: str,
    payload: Mapping[str, object],
    work: Callable[[UnitOfWork], tuple[T, str, datetime]],
    *,
    replayed: Callable[[UnitOfWork, str], T],
    before: Callable[[UnitOfWork], object] | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    max_delay: float = DEFAULT_MAX_DELAY_S,
) -> T:
    """Run the keyed command ``operation`` once per ``key``, in one unit of work.

    ``work`` does the command in the unit of work it is given and returns its value, the
    text to remember as its result and the time it ran at; both are committed together. A
    repeated request does no work: ``replayed`` reads its value back from the remembered
    result. ``before``, if given, runs first in every attempt's unit of work, before the
    request is looked up (a command that writes outbox events claims the counter there).
    After a concurrency conflict the whole unit of work runs again (see
    :func:`~crmkit.services.retry.retrying`). ``key`` is used as given: validate it with
    :func:`~crmkit.domain.requests.request_key` first where the caller's key is unchecked.

    Raises:
        DuplicateRequest: ``key`` was used for another operation or other content.
        ConcurrencyConflict: the last attempt still conflicted.
    """
    digest = fingerprint(operation, payload)

    def attempt() -> T:
        with unit_of_work() as uow:
            if before is not None:
                before(uow)
            done = replay(uow, key, operation, digest)
            if done is not None:
                return replayed(uow, done)
            value, result, now = work(uow)
            remember(uow, key, operation, digest, result=result, now=now)
            uow.commit()
            return value

    return retrying(attempt, attempts=attempts, max_delay=max_delay)


def record_loader(record_type: RecordType[R]) -> Callable[[UnitOfWork, str], R]:
    """How a keyed command whose result is the id of a ``record_type`` record reads it back."""
    return lambda uow, done: uow.records(record_type).get(done)
