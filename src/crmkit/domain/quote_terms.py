"""The terms of a quote (报价单): its statuses and allowed transitions, the discounts it accepts,
and the errors its lifecycle raises.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from crmkit.domain.errors import InvalidStateTransition, ValidationError
from crmkit.domain.line_amounts import discount
from crmkit.domain.price_list import quantity
from crmkit.domain.text import clean_text

ACCOUNT_MAX_LENGTH = 64


def document_discount(value: object) -> Decimal:
    """A document discount percentage (see :func:`discount`)."""
    return discount(value, "document discount")


def _converted(value: object) -> Decimal:
    return quantity(value, "converted quantity", positive=False)


def _account(value: object) -> str:
    return clean_text(value, "account id", max_length=ACCOUNT_MAX_LENGTH)


class QuoteStatus(enum.Enum):
    """Where a quote is in its lifecycle."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


ALLOWED: dict[QuoteStatus, tuple[str, ...]] = {
    QuoteStatus.DRAFT: ("edit", "reprice", "send"),
    QuoteStatus.SENT: ("accept", "reject", "expire"),
    QuoteStatus.ACCEPTED: ("convert",),
    QuoteStatus.REJECTED: (),
    QuoteStatus.EXPIRED: (),
}
"""The actions each status allows; anything else raises :class:`QuoteTransitionNotAllowed`."""


class QuoteTransitionNotAllowed(InvalidStateTransition):
    """The quote's status does not allow the action (the documented lifecycle error)."""

    code = "quote_transition_not_allowed"
    template = (
        "cannot {action} quote {record_id!r}: it is {state}; a {state} quote allows {allowed}. "
        "Create a new quote to offer other terms."
    )

    def __init__(self, quote_id: str, status: QuoteStatus, action: str) -> None:
        allowed = ", ".join(ALLOWED[status]) or "nothing (it is final)"
        self._tell(
            {"allowed": allowed},
            entity="Quote",
            record_id=quote_id,
            state=status.value,
            action=action,
        )


class QuoteExpired(ValidationError):
    """The quote's validity date has passed."""

    code = "quote_expired"
    template = (
        "cannot {action} quote {quote_id!r}: it was valid until {valid_until!i} and it is now "
        "{now!i}. Expire it and issue a new quote, or (to convert an accepted quote) pass an "
        "explicit expiry override."
    )

    def __init__(self, quote_id: str, valid_until: datetime, now: datetime, action: str) -> None:
        self._tell({"valid_until": valid_until, "now": now, "action": action}, quote_id=quote_id)


class ConversionExceedsRemaining(ValidationError):
    """A conversion asks for more of a quote line than remains unconverted."""

    code = "quantity_exceeds_remaining"
    default_field = "quantities"
    template = (
        "quote {quote_id!r} line {line_no}: {asked} was asked for but only {remaining} remains "
        "unconverted; ask for at most {remaining}."
    )

    def __init__(self, quote_id: str, line_no: int, asked: Decimal, remaining: Decimal) -> None:
        self._tell(quote_id=quote_id, line_no=line_no, asked=asked, remaining=remaining)
