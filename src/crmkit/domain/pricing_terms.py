"""The terms of pricing (价目表): resolution modes, rounding steps, the customer and policy priced
for, and the explained outcome of a resolution.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import overload

import attrs

from crmkit.domain.errors import ValidationError, shown
from crmkit.domain.ids import ProductId, record_id
from crmkit.domain.money import Money
from crmkit.domain.price_list import (
    PriceEntryId,
    PriceListId,
    percent,
)
from crmkit.domain.rounding import Rounding

EXACT_PRECISION = 80
"""Decimal digits used for line arithmetic: enough that no intermediate value is rounded."""

HUNDRED = Decimal(100)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ResolutionMode(enum.Enum):
    """How the winning list is picked among the lists that price a product (per tenant)."""

    STRICT_PRIORITY = "strict_priority"
    BEST_PRICE = "best_price"


class RoundingStep(enum.Enum):
    """The only points where a priced line is rounded."""

    LINE_AMOUNT = "line_amount"
    """The extended amount after line and document discounts, to the minor unit."""
    LINE_TAX = "line_tax"
    """The line's tax (tax-exclusive prices) or net (tax-inclusive prices), to the minor unit."""


def _threshold(value: object) -> Decimal:
    return percent(value, "approval threshold", low=Decimal(0), high=HUNDRED)


def codes(values: Iterable[str]) -> frozenset[str]:
    """A set of account or group codes, each cleaned like an id.

    Raises:
        ValidationError: not a collection of texts, or a code breaks the id rules.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(
            f"account groups must be a set of codes, not {type(values).__name__}."
        )
    return frozenset(record_id(value, "account group") for value in values)


@attrs.frozen
class PricingCustomer:
    """The account a price is resolved for, with the account groups it belongs to."""

    account_id: str
    groups: frozenset[str] = attrs.field(converter=codes, factory=frozenset)


@attrs.frozen
class PricingPolicy:
    """A tenant's pricing choices.

    ``approval_threshold_percent``: a line whose combined discount exceeds it marks the
    document as needing approval.
    """

    mode: ResolutionMode = ResolutionMode.STRICT_PRIORITY
    rounding: Rounding = Rounding.HALF_UP
    approval_threshold_percent: Decimal = attrs.field(default=Decimal(20), converter=_threshold)


class ListOutcome(enum.Enum):
    """Why a price list was or was not used."""

    CHOSEN = "chosen"
    OUTRANKED = "outranked"
    HIGHER_PRICE = "higher_price"
    NO_PRICE = "no_price"
    INACTIVE = "inactive"
    OTHER_CURRENCY = "other_currency"
    OUTSIDE_VALIDITY = "outside_validity"
    OUT_OF_SCOPE = "out_of_scope"
    BASE_MISSING = "base_missing"


class EntryOutcome(enum.Enum):
    """Why an entry (a quantity tier) of a list was or was not used."""

    APPLIED = "applied"
    """The tier of the chosen list that gave the price."""
    BEST_IN_LIST = "best_in_list"
    """The tier its list would have applied; the list itself lost."""
    LOWER_TIER = "lower_tier"
    BELOW_MIN_QUANTITY = "below_min_quantity"
    OUTSIDE_VALIDITY = "outside_validity"
    SUPERSEDED = "superseded"
    """Same tier as the applied one, but a later-starting or smaller-id entry won."""


@attrs.frozen
class EntryVerdict:
    """One entry considered, with the price it gives (after derivation) and the verdict."""

    entry_id: PriceEntryId
    min_quantity: Decimal
    unit_price: Decimal
    outcome: EntryOutcome
    reason: str


@attrs.frozen
class ListVerdict:
    """One price list considered, in tie-break order, with the verdict and its entries."""

    price_list_id: PriceListId
    name: str
    priority: int
    outcome: ListOutcome
    reason: str
    entries: tuple[EntryVerdict, ...] = ()


_NOTHING = object()


class Explanation(Sequence[ListVerdict]):
    """A resolution's verdicts (one per list, in tie-break order), worked out when first
    read: ``make()``, or ``make(argument)`` when an argument is given (one object per
    line instead of a closure and this). Equal to the tuple of the same verdicts."""

    __slots__ = ("_argument", "_make", "_verdicts")

    def __init__(
        self, make: Callable[..., tuple[ListVerdict, ...]], argument: object = _NOTHING
    ) -> None:
        self._make: Callable[..., tuple[ListVerdict, ...]] | None = make
        self._argument = argument
        self._verdicts: tuple[ListVerdict, ...] = ()

    @property
    def verdicts(self) -> tuple[ListVerdict, ...]:
        """The verdicts as a tuple (worked out now if they were not yet)."""
        make = self._make
        if make is not None:  # set the verdicts before dropping the recipe (thread-safe)
            argument = self._argument
            self._verdicts = make() if argument is _NOTHING else make(argument)
            self._make = None  # the argument stays: another thread may be reading it
        return self._verdicts

    @overload
    def __getitem__(self, index: int) -> ListVerdict: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ListVerdict, ...]: ...
    def __getitem__(self, index: int | slice) -> ListVerdict | tuple[ListVerdict, ...]:
        return self.verdicts[index]

    def __len__(self) -> int:
        return len(self.verdicts)

    def __iter__(self) -> Iterator[ListVerdict]:
        return iter(self.verdicts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Explanation):
            return self.verdicts == other.verdicts
        if isinstance(other, Sequence):
            return self.verdicts == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.verdicts)

    def __repr__(self) -> str:
        return repr(self.verdicts)


def _verdicts(value: Iterable[ListVerdict]) -> Sequence[ListVerdict]:
    """A resolution's verdicts as given: an :class:`Explanation` kept as it is (still lazy),
    anything else as a tuple."""
    # the exact types first: an ABC's isinstance is slow, and this runs once per line
    if type(value) is Explanation or type(value) is tuple:
        return value
    if isinstance(value, Explanation | tuple):
        return value
    return tuple(value)


@attrs.frozen(slots=False)  # a __dict__ class: its attrs __init__ is twice as fast (per line)
class Resolution:
    """A resolved unit price and why it is what it is."""

    product_id: ProductId
    quantity: Decimal
    at: datetime
    currency: str
    mode: ResolutionMode
    unit_price: Decimal
    prices_include_tax: bool
    price_list_id: PriceListId
    entry_id: PriceEntryId
    tier_min_quantity: Decimal
    candidates: Sequence[ListVerdict] = attrs.field(converter=_verdicts)
    """The verdict of every list, in tie-break order (a tuple, or an :class:`Explanation`
    worked out when first read; the two compare equal)."""

    @property
    def price(self) -> Money:
        """The unit price as Money."""
        return Money(self.unit_price, self.currency)

    def describe(self) -> str:
        """The explanation as text, one line per list considered."""
        lines = [
            f"{fmt(self.unit_price)} {self.currency} per unit from list {self.price_list_id} "
            f"(tier from {fmt(self.tier_min_quantity)}, mode {self.mode.value}):"
        ]
        for verdict in self.candidates:
            lines.append(f"- {verdict.name} [{verdict.outcome.value}]: {verdict.reason}")
            lines.extend(
                f"    tier >= {fmt(e.min_quantity)} at {fmt(e.unit_price)} [{e.outcome.value}]: "
                f"{e.reason}"
                for e in verdict.entries
            )
        return "\n".join(lines)


class NoPriceFound(ValidationError):
    """No applicable price list prices the product for this account, quantity and moment."""

    code = "no_price"

    def __init__(
        self,
        product_id: str,
        *,
        account_id: str,
        quantity: Decimal,
        at: datetime,
        currency: str,
        candidates: tuple[ListVerdict, ...],
        sku: str | None = None,
    ) -> None:
        why = "; ".join(f"{v.name}: {v.reason}" for v in candidates[:3]) or "no price lists exist"
        if len(candidates) > 3:
            why += f"; and {len(candidates) - 3} more lists"
        product = f"SKU {shown(sku)}" if sku is not None else f"product {shown(product_id)}"
        super().__init__(
            f"no price list gives {product} a {currency} price for customer "
            f"{shown(account_id)}, quantity {fmt(quantity)}, at {at.isoformat()} ({why}). Add an "
            f"entry to a list that applies, or widen a list's scope or validity.",
            field="product_id",
            sku=sku,
            product_id=product_id,
            account_id=account_id,
            candidates=candidates,
        )


def fmt(number: Decimal) -> str:
    """A decimal as plain text without trailing zeros (the same on every backend)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
