"""报价单 Quote: the priced list of products offered to a customer.

Lifecycle: ``draft -> sent -> accepted | rejected | expired``. Lines are priced when added
and keep their explanation; lines, discounts and re-pricing change only in draft. A sent
quote past its ``valid_until`` (by the clock port) cannot be accepted; :meth:`Quote.expire`
records that. An accepted quote converts to sales orders (销售订单), in parts, line by line;
each line tracks the quantity converted so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import NewType

import attrs

from crmkit.domain.currency import check_currency
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.line_amounts import PricedLine, discount
from crmkit.domain.lookup import the_one
from crmkit.domain.price_list import quantity
from crmkit.domain.pricing import (
    DocumentTotals,
    LineAmounts,
    PricingPolicy,
    Resolution,
    approval_reasons,
    codes,
)
from crmkit.domain.quote_terms import (
    ACCOUNT_MAX_LENGTH,
    ALLOWED,
    ConversionExceedsRemaining,
    QuoteExpired,
    QuoteStatus,
    QuoteTransitionNotAllowed,
    _account,
    _converted,
    document_discount,
)
from crmkit.domain.timestamps import utc_millis

__all__ = [
    "ACCOUNT_MAX_LENGTH",
    "ALLOWED",
    "ConversionExceedsRemaining",
    "Quote",
    "QuoteExpired",
    "QuoteId",
    "QuoteLine",
    "QuoteStatus",
    "QuoteTransitionNotAllowed",
    "discount",
    "document_discount",
]

QuoteId = NewType("QuoteId", str)


@attrs.frozen
class QuoteLine(PricedLine):
    """A priced line: its unit price and explanation are frozen in ``resolution``."""

    line_no: int
    converted_quantity: Decimal = attrs.field(default=Decimal(0), converter=_converted)

    @property
    def remaining(self) -> Decimal:
        """The quantity not yet converted to a sales order."""
        return self.quantity - self.converted_quantity


@attrs.frozen
class Quote:
    """报价单 A quote to one account, in one currency, priced by the tenant's policy."""

    id: QuoteId
    tenant_id: TenantId
    account_id: str = attrs.field(converter=_account)
    account_groups: frozenset[str] = attrs.field(converter=codes)
    currency: str = attrs.field(validator=lambda _i, _a, v: check_currency(v))
    status: QuoteStatus
    valid_until: datetime = attrs.field(converter=utc_millis)
    discount_percent: Decimal = attrs.field(converter=document_discount)
    policy: PricingPolicy
    lines: tuple[QuoteLine, ...]
    approval_reasons: tuple[str, ...]
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        account_id: str,
        account_groups: frozenset[str] = frozenset(),
        currency: str,
        valid_until: datetime,
        policy: PricingPolicy,
        now: datetime,
        discount_percent: Decimal | int | str = 0,
        quote_id: QuoteId | None = None,
    ) -> Quote:
        """A new draft quote without lines.

        Raises:
            ValidationError: a field breaks its rule, or ``valid_until`` is not after ``now``.
        """
        quote = cls(
            id=quote_id or QuoteId(new_id()),
            tenant_id=tenant_id,
            account_id=account_id,
            account_groups=account_groups,
            currency=currency,
            status=QuoteStatus.DRAFT,
            valid_until=valid_until,
            discount_percent=discount_percent,
            policy=policy,
            lines=(),
            approval_reasons=(),
            created_at=now,
            updated_at=now,
        )
        if quote.valid_until <= quote.created_at:
            raise ValidationError(
                f"quote valid_until {quote.valid_until.isoformat()} must be after now "
                f"({quote.created_at.isoformat()}); give a future validity date.",
            )
        return quote._reviewed(now)

    def _require(self, action: str) -> None:
        if action not in ALLOWED[self.status]:
            raise QuoteTransitionNotAllowed(self.id, self.status, action)

    def _moved(self, status: QuoteStatus, now: datetime, *, unexpired: str = "") -> Quote:
        """This quote in ``status``; if ``unexpired`` names the action, only while valid."""
        if unexpired and self.is_expired_at(now):
            raise QuoteExpired(self.id, self.valid_until, now, unexpired)
        return attrs.evolve(self, status=status, updated_at=now)

    def _reviewed(self, now: datetime) -> Quote:
        reasons = approval_reasons(
            [(line.line_no, line.discount_percent) for line in self.lines],
            self.discount_percent,
            self.policy.approval_threshold_percent,
        )
        return attrs.evolve(self, approval_reasons=reasons, updated_at=now)

    @property
    def needs_approval(self) -> bool:
        """Whether a discount passes the tenant's approval threshold (see the reasons)."""
        return bool(self.approval_reasons)

    def line(self, line_no: int) -> QuoteLine:
        """The line numbered ``line_no``.

        Raises:
            ValidationError: no such line.
        """
        return the_one(
            self.lines,
            lambda line: line.line_no == line_no,
            lambda: ValidationError(
                f"quote {self.id!r} has no line {line_no}; its lines are "
                f"{[ln.line_no for ln in self.lines]}.",
                quote_id=self.id,
            ),
        )

    @property
    def next_line_no(self) -> int:
        """The number the next added line gets."""
        return max((line.line_no for line in self.lines), default=0) + 1

    def with_lines(self, lines: tuple[QuoteLine, ...], now: datetime) -> Quote:
        """This draft quote with ``lines`` appended.

        Raises:
            QuoteTransitionNotAllowed: the quote is not a draft.
            ValidationError: a line number is taken.
        """
        self._require("edit")
        taken = {line.line_no for line in self.lines}
        for line in lines:
            if line.line_no in taken:
                raise ValidationError(f"quote {self.id!r} already has line {line.line_no}.")
            taken.add(line.line_no)
        return attrs.evolve(self, lines=self.lines + lines)._reviewed(now)

    def without_line(self, line_no: int, now: datetime) -> Quote:
        """This draft quote without line ``line_no``.

        Raises:
            QuoteTransitionNotAllowed: the quote is not a draft.
            ValidationError: no such line.
        """
        self._require("edit")
        self.line(line_no)
        kept = tuple(line for line in self.lines if line.line_no != line_no)
        return attrs.evolve(self, lines=kept)._reviewed(now)

    def with_discounts(
        self,
        now: datetime,
        *,
        document: Decimal | int | str | None = None,
        lines: Mapping[int, Decimal | int | str] | None = None,
    ) -> Quote:
        """This draft quote with a new document discount and/or line discounts (in %).

        Raises:
            QuoteTransitionNotAllowed: the quote is not a draft.
            ValidationError: a discount outside 0..100, or an unknown line.
        """
        self._require("edit")
        changes = dict(lines or {})
        for line_no in changes:
            self.line(line_no)
        new_lines = tuple(
            attrs.evolve(line, discount_percent=changes[line.line_no])
            if line.line_no in changes
            else line
            for line in self.lines
        )
        doc = self.discount_percent if document is None else document
        return attrs.evolve(self, lines=new_lines, discount_percent=doc)._reviewed(now)

    def repriced(self, resolutions: Mapping[int, Resolution], now: datetime) -> Quote:
        """This draft quote with each line's price and explanation replaced.

        Raises:
            QuoteTransitionNotAllowed: the quote is not a draft (prices are frozen once sent).
        """
        self._require("reprice")
        new_lines = tuple(
            attrs.evolve(line, resolution=resolutions.get(line.line_no, line.resolution))
            for line in self.lines
        )
        return attrs.evolve(self, lines=new_lines)._reviewed(now)

    def send(self, now: datetime) -> Quote:
        """Send the draft to the customer.

        Raises:
            QuoteTransitionNotAllowed: the quote is not a draft.
            ValidationError: the quote has no lines.
            QuoteExpired: its validity date has passed.
        """
        self._require("send")
        if not self.lines:
            raise ValidationError(
                f"quote {self.id!r} has no lines; add at least one line before sending it.",
                quote_id=self.id,
            )
        return self._moved(QuoteStatus.SENT, now, unexpired="send")

    def accept(self, now: datetime) -> Quote:
        """Record the customer's acceptance of a sent, unexpired quote.

        Raises:
            QuoteTransitionNotAllowed: the quote is not sent.
            QuoteExpired: its validity date has passed.
        """
        self._require("accept")
        return self._moved(QuoteStatus.ACCEPTED, now, unexpired="accept")

    def reject(self, now: datetime) -> Quote:
        """Record the customer's rejection of a sent quote.

        Raises:
            QuoteTransitionNotAllowed: the quote is not sent.
        """
        self._require("reject")
        return self._moved(QuoteStatus.REJECTED, now)

    def expire(self, now: datetime) -> Quote:
        """Mark a sent quote whose validity date has passed as expired.

        Raises:
            QuoteTransitionNotAllowed: the quote is not sent.
            ValidationError: the quote is still valid.
        """
        self._require("expire")
        if now < self.valid_until:
            raise ValidationError(
                f"quote {self.id!r} is valid until {self.valid_until.isoformat()}; it cannot "
                f"expire before then.",
                quote_id=self.id,
            )
        return self._moved(QuoteStatus.EXPIRED, now)

    def is_expired_at(self, now: datetime) -> bool:
        """Whether the validity date has passed at ``now``."""
        return now >= self.valid_until

    def conversion(self, quantities: Mapping[int, Decimal] | None) -> dict[int, Decimal]:
        """The quantities a conversion takes: ``quantities`` checked, or all that remains.

        Raises:
            QuoteTransitionNotAllowed: the quote is not accepted.
            ConversionExceedsRemaining: a quantity is more than its line has left.
            ValidationError: an unknown line, a quantity <= 0, or nothing left to convert.
        """
        self._require("convert")
        if quantities is None:
            wanted = {line.line_no: line.remaining for line in self.lines if line.remaining > 0}
        else:
            wanted = {}
            for line_no, asked in quantities.items():
                line = self.line(line_no)
                amount = quantity(asked, f"quantity to convert of line {line_no}")
                if amount > line.remaining:
                    raise ConversionExceedsRemaining(self.id, line_no, amount, line.remaining)
                wanted[line_no] = amount
        if not wanted:
            raise ValidationError(
                f"quote {self.id!r} has nothing left to convert: every line was converted.",
                quote_id=self.id,
            )
        return wanted

    def converted(self, quantities: Mapping[int, Decimal], now: datetime) -> Quote:
        """This quote with ``quantities`` (from :meth:`conversion`) marked as converted."""
        self.conversion(quantities)
        new_lines = tuple(
            attrs.evolve(
                line,
                converted_quantity=line.converted_quantity + quantities.get(line.line_no, 0),
            )
            for line in self.lines
        )
        return attrs.evolve(self, lines=new_lines, updated_at=now)

    def amounts(self) -> list[LineAmounts]:
        """Each line's amounts, in line order."""
        return [
            line.amounts(self.discount_percent, self.currency, self.policy.rounding)
            for line in self.lines
        ]

    def totals(self) -> DocumentTotals:
        """The exact sums of the lines."""
        return DocumentTotals.of(self.currency, self.amounts())
