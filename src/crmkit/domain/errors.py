"""The one error hierarchy of crmkit.

Every error carries a stable ``code`` (for programs) and a message that says what was
wrong, on which record, and what to do (for people). Storage adapters translate driver
errors into these classes, so callers never see a driver's exception type.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "ConcurrencyConflict",
    "ConfigurationError",
    "CrmkitError",
    "CurrencyMismatch",
    "DuplicateRecord",
    "DuplicateRequest",
    "FloatNotAllowed",
    "InvalidStateTransition",
    "NotFound",
    "StorageError",
    "StorageUnavailable",
    "UnitMismatch",
    "ValidationError",
    "WrongTenant",
]

MESSAGE_VALUE_LENGTH = 60


def shown(value: object) -> str:
    """``repr(value)`` cut to a readable length, for messages (never echo huge input)."""
    text = repr(value)
    if len(text) <= MESSAGE_VALUE_LENGTH:
        return text
    return f"{text[: MESSAGE_VALUE_LENGTH - 3]}... ({len(text)} characters)"


class _Messages(string.Formatter):
    """``str.format`` for message templates, with two conversions of its own: ``{value!S}``
    is :func:`shown` and ``{at!i}`` a date or time in ISO format."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "S":
            return shown(value)
        if conversion == "i":
            return value.isoformat()
        return super().convert_field(value, conversion)


_MESSAGES = _Messages()


class CrmkitError(Exception):
    """Root of every error crmkit raises on purpose.

    ``retryable`` says whether running the same command again may succeed unchanged: true
    for :class:`ConcurrencyConflict` and :class:`StorageUnavailable`. Retrying a command
    that carries a request key is always safe: if the first attempt did commit, the retry
    returns its result instead of applying the change twice.
    """

    code: ClassVar[str] = "crmkit_error"
    retryable: ClassVar[bool] = False
    default_field: ClassVar[str | None] = None
    """The argument an error of this kind is always about (``amount``), if there is one."""
    template: ClassVar[str] = ""
    """The message of an error kind that declares one, for :meth:`_tell` to fill in."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details

    def _tell(self, shows: Mapping[str, object] | None = None, /, **details: Any) -> None:
        """Set the error up with its class's ``template`` filled in from ``details`` (kept
        as the error's details) and ``shows`` (what only the message shows; it wins)."""
        message = _MESSAGES.vformat(self.template, (), {**details, **(shows or {})})
        CrmkitError.__init__(self, message, **details)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    @property
    def field(self) -> str | None:
        """The argument or field the error is about, where one applies (else None)."""
        value = self.details.get("field", self.default_field)
        return value if isinstance(value, str) else None

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other constructor arguments than (message,), so the default
        # pickling (cls(*args)) fails; rebuild from the message and details instead, so
        # that errors can cross process boundaries (multiprocessing, job queues).
        return (_restore, (type(self), self.message, self.details))


def _restore(cls: type[CrmkitError], message: str, details: dict[str, Any]) -> CrmkitError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.message = message
    error.details = details
    return error


class ConfigurationError(CrmkitError):
    """crmkit was set up wrongly (an unsupported URL, a missing extra)."""

    code = "configuration"


class ValidationError(CrmkitError):
    """A value given to crmkit breaks a rule of the domain."""

    code = "validation"


class WrongTenant(ValidationError):
    """A record of one tenant was handed to a unit of work of another tenant."""

    code = "wrong_tenant"
    template = (
        "{entity} {record_id!S} belongs to tenant {owner!r}, but the unit of work is for "
        "tenant {tenant_id!r}; open a unit of work for the record's tenant."
    )

    def __init__(self, entity: str, record_id: object, owner: str, tenant_id: str) -> None:
        self._tell(entity=entity, record_id=record_id, owner=owner, tenant_id=tenant_id)


class FloatNotAllowed(ValidationError):
    """A float was given where money or a quantity is expected."""

    code = "float_not_allowed"
    template = (
        "{what} was given the float {value!S}; floats cannot represent money or quantities "
        "exactly. Pass a decimal.Decimal, an int or a string such as '{value!S}' instead."
    )

    def __init__(self, what: str, value: float) -> None:
        self._tell(what=what, value=value)


class CurrencyMismatch(ValidationError):
    """Two amounts in different currencies were combined."""

    code = "currency_mismatch"
    template = (
        "cannot {operation} {left} and {right}: the currencies differ. Convert one amount "
        "explicitly before combining them."
    )

    def __init__(self, left: str, right: str, operation: str) -> None:
        self._tell(left=left, right=right, operation=operation)


class UnitMismatch(ValidationError):
    """Two quantities in different units of measure were combined."""

    code = "unit_mismatch"
    template = (
        "cannot {operation} quantities in '{left}' and '{right}': the units differ. Convert "
        "one quantity explicitly before combining them."
    )

    def __init__(self, left: str, right: str, operation: str) -> None:
        self._tell(left=left, right=right, operation=operation)


class NotFound(CrmkitError):
    """The record does not exist in this tenant."""

    code = "not_found"
    template = (
        "{entity} with {key} {value!S} was not found in tenant {tenant_id!r}; check the {key} "
        "and the tenant the unit of work was opened for."
    )

    def __init__(self, entity: str, key: str, value: object, tenant_id: str) -> None:
        self._tell(entity=entity, key=key, value=value, tenant_id=tenant_id)


class DuplicateRecord(CrmkitError):
    """A record with the same unique key already exists in this tenant."""

    code = "duplicate"
    template = (
        "{entity} with {key} {value!S} already exists in tenant {tenant_id!r}; choose another "
        "{key} or change the existing {lower}."
    )

    def __init__(self, entity: str, key: str, value: object, tenant_id: str) -> None:
        field = key if key.isidentifier() else None  # the field whose value is taken
        self._tell(
            {"lower": entity.lower()},
            field=field,
            entity=entity,
            key=key,
            value=value,
            tenant_id=tenant_id,
        )


class ConcurrencyConflict(CrmkitError):
    """Another unit of work changed the record first; reload it and try again."""

    code = "concurrency_conflict"
    retryable = True
    template = (
        "{entity} {record_id!S} in tenant {tenant_id!r} could not be written: {reason}. "
        "Another writer changed it first; reload it and apply the change again."
    )

    def __init__(self, entity: str, record_id: object, tenant_id: str, reason: str) -> None:
        self._tell(entity=entity, record_id=record_id, tenant_id=tenant_id, reason=reason)


class InvalidStateTransition(CrmkitError):
    """The record's lifecycle does not allow this step from its current state."""

    code = "invalid_state_transition"
    template = "cannot {action} {entity} {record_id!S}: it is {state}."

    def __init__(self, entity: str, record_id: object, state: str, action: str) -> None:
        self._tell(entity=entity, record_id=record_id, state=state, action=action)


class DuplicateRequest(CrmkitError):
    """An idempotency key was reused for a request with different content."""

    code = "duplicate_request"
    template = (
        "request key {key!S} in tenant {tenant_id!r} was already used for a different "
        "request ({difference}); use a new key for a new request."
    )

    def __init__(self, key: str, tenant_id: str, difference: str) -> None:
        self._tell(key=key, tenant_id=tenant_id, difference=difference)


class StorageError(CrmkitError):
    """The storage backend failed in a way crmkit does not translate further."""

    code = "storage"


class StorageUnavailable(StorageError):
    """The database could not be reached or went away (connection lost, server restarting).

    Nothing was committed unless the loss happened during the commit itself; running the
    same command again once the database is back is safe for keyed commands.
    """

    code = "storage_unavailable"
    retryable = True
