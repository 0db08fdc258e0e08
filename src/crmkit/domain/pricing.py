"""Price resolution with its explanation, and the arithmetic of priced lines (价目表, 报价单).

Everything here is a pure function of its arguments: no storage, no clock.

**Resolution.** For (account, product, quantity, moment) each price list is judged in the
*tie-break order* (:func:`tie_break_key`): priority ascending, then the more specific
scope (specific accounts, then account groups, then everyone), then the later
``valid_from``, then the list id by code point. Ids are unique, so the order is total and
the result never depends on the order the lists or entries were given in. Inside a list the
applied tier is the entry valid at the moment with the highest ``min_quantity`` not above
the quantity; between two such entries the later ``valid_from`` wins, then the smaller id.

- ``STRICT_PRIORITY``: the first list in tie-break order that prices the product wins.
- ``BEST_PRICE``: the lowest price among the lists that price the product wins, compared
  tax-inclusive (a net price is compared as ``net * (1 + tax rate)``, exactly); equal
  prices fall back to the tie-break order.

**Amounts.** A line's amount is ``unit price * quantity * (1 - line discount) * (1 -
document discount)``, computed exactly and rounded once to the currency's minor unit at the
named step :data:`RoundingStep.LINE_AMOUNT`. Tax is computed per line from that amount and
rounded at :data:`RoundingStep.LINE_TAX` with the same rule. For tax-inclusive prices the
line amount is the gross and the net is derived from it, so an agreed gross price is never
rebuilt from a rounded net. Document totals are exact sums of the lines.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from crmkit.domain.currency import minor_unit
from crmkit.domain.errors import ValidationError, shown
from crmkit.domain.ids import ProductId, record_id
from crmkit.domain.money import Money
from crmkit.domain.price_list import (
    PriceEntry,
    PriceEntryId,
    PriceList,
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


@attrs.frozen
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
    candidates: tuple[ListVerdict, ...]

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


def _millis(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def tie_break_key(price_list: PriceList) -> tuple[int, int, int, str]:
    """The total order lists are judged in (see the module docstring)."""
    return (
        price_list.priority,
        -price_list.scope.kind.specificity,
        -_millis(price_list.valid_from),
        price_list.id,
    )


def entry_order(entry: PriceEntry) -> tuple[Decimal, int, str]:
    """The total order of a list's entries: highest tier, then latest start, then id."""
    return (-entry.min_quantity, -_millis(entry.valid_from), entry.id)


def _judge_list(
    price_list: PriceList,
    customer: PricingCustomer,
    at: datetime,
    currency: str,
    lists: dict[PriceListId, PriceList],
) -> tuple[ListOutcome, str] | None:
    if not price_list.active:
        return ListOutcome.INACTIVE, "the list is deactivated"
    if price_list.currency != currency:
        return ListOutcome.OTHER_CURRENCY, f"its prices are in {price_list.currency}"
    if not price_list.is_valid_at(at):
        until = price_list.valid_until.isoformat() if price_list.valid_until else "no end"
        return (
            ListOutcome.OUTSIDE_VALIDITY,
            f"valid from {price_list.valid_from.isoformat()} to {until}",
        )
    if not price_list.scope.covers(customer.account_id, customer.groups):
        return (
            ListOutcome.OUT_OF_SCOPE,
            f"scope {price_list.scope.kind.value} {sorted(price_list.scope.codes)} does not "
            f"include account {customer.account_id!r} (groups {sorted(customer.groups)})",
        )
    derivation = price_list.derivation
    if derivation is not None:
        base = lists.get(derivation.base_list_id)
        if base is None or base.currency != price_list.currency:
            return ListOutcome.BASE_MISSING, f"base list {derivation.base_list_id} is missing"
    return None


def _judge_entries(
    price_list: PriceList,
    entries: Sequence[PriceEntry],
    quantity: Decimal,
    at: datetime,
) -> tuple[list[EntryVerdict], tuple[PriceEntry, Decimal] | None]:
    derivation = price_list.derivation

    def price_of(entry: PriceEntry) -> Decimal:
        if derivation is None:
            return entry.unit_price
        return derivation.apply(entry.unit_price, price_list.currency)

    eligible = [e for e in entries if e.is_valid_at(at) and e.min_quantity <= quantity]
    best = min(eligible, key=entry_order) if eligible else None
    verdicts: list[EntryVerdict] = []
    for entry in sorted(entries, key=entry_order):
        if not entry.is_valid_at(at):
            outcome, reason = EntryOutcome.OUTSIDE_VALIDITY, "not valid at the moment priced"
        elif entry.min_quantity > quantity:
            outcome = EntryOutcome.BELOW_MIN_QUANTITY
            reason = f"quantity {fmt(quantity)} is below the tier minimum {fmt(entry.min_quantity)}"
        elif entry is best:
            outcome, reason = EntryOutcome.APPLIED, "highest tier reached by the quantity"
        elif best is not None and entry.min_quantity < best.min_quantity:
            outcome = EntryOutcome.LOWER_TIER
            reason = f"the higher tier from {fmt(best.min_quantity)} applies"
        else:
            outcome = EntryOutcome.SUPERSEDED
            reason = f"entry {best.id if best else ''} of the same tier starts later or sorts first"
        if derivation is not None:
            reason += (
                f" (base price {fmt(entry.unit_price)} {'+' if derivation.percent >= 0 else ''}"
                f"{fmt(derivation.percent)}%, "
                f"{derivation.rounding.name})"
            )
        verdicts.append(
            EntryVerdict(entry.id, entry.min_quantity, price_of(entry), outcome, reason)
        )
    return verdicts, (None if best is None else (best, price_of(best)))


def resolve_price(
    *,
    customer: PricingCustomer,
    product_id: ProductId,
    tax_rate: Decimal,
    quantity: Decimal,
    at: datetime,
    currency: str,
    mode: ResolutionMode,
    price_lists: Iterable[PriceList],
    entries: Iterable[PriceEntry],
    sku: str | None = None,
) -> Resolution:
    """The unit price of ``product_id`` for ``customer`` and its explanation.

    ``price_lists`` are the tenant's lists (a derived list's base must be among them);
    ``entries`` are their entries for the product (others are ignored).

    Raises:
        NoPriceFound: no applicable list prices the product at this quantity and moment.
    """
    lists = {p.id: p for p in price_lists}
    by_list: dict[PriceListId, list[PriceEntry]] = {}
    for entry in entries:
        if entry.product_id == product_id:
            by_list.setdefault(entry.price_list_id, []).append(entry)
    contenders: list[tuple[PriceList, list[EntryVerdict], PriceEntry, Decimal]] = []
    judged: dict[PriceListId, ListVerdict] = {}
    ordered = sorted(lists.values(), key=tie_break_key)
    for price_list in ordered:
        refused = _judge_list(price_list, customer, at, currency, lists)
        if refused is not None:
            judged[price_list.id] = ListVerdict(
                price_list.id, price_list.name, price_list.priority, *refused
            )
            continue
        source = price_list.derivation.base_list_id if price_list.derivation else price_list.id
        verdicts, best = _judge_entries(price_list, by_list.get(source, []), quantity, at)
        if best is None:
            reason = (
                "no entry is valid at this moment for this quantity"
                if verdicts
                else "it has no entry for the product"
            )
            judged[price_list.id] = ListVerdict(
                price_list.id,
                price_list.name,
                price_list.priority,
                ListOutcome.NO_PRICE,
                reason,
                tuple(verdicts),
            )
            continue
        contenders.append((price_list, verdicts, best[0], best[1]))
    if not contenders:
        raise NoPriceFound(
            product_id,
            account_id=customer.account_id,
            quantity=quantity,
            at=at,
            currency=currency,
            candidates=tuple(judged[p.id] for p in ordered),
            sku=sku,
        )

    def comparable(price_list: PriceList, price: Decimal) -> Decimal:
        return price if price_list.prices_include_tax else price * (1 + tax_rate)

    if mode is ResolutionMode.STRICT_PRIORITY:
        winner = contenders[0]
    else:
        winner = min(contenders, key=lambda c: (comparable(c[0], c[3]), tie_break_key(c[0])))
    win_list, _, win_entry, win_price = winner
    for price_list, verdicts, _entry, price in contenders:
        if price_list is win_list:
            judged[price_list.id] = ListVerdict(
                price_list.id,
                price_list.name,
                price_list.priority,
                ListOutcome.CHOSEN,
                "first applicable list in tie-break order"
                if mode is ResolutionMode.STRICT_PRIORITY
                else "lowest price among the applicable lists",
                tuple(verdicts),
            )
            continue
        lost = tuple(
            attrs.evolve(v, outcome=EntryOutcome.BEST_IN_LIST)
            if v.outcome is EntryOutcome.APPLIED
            else v
            for v in verdicts
        )
        if mode is ResolutionMode.BEST_PRICE and comparable(price_list, price) > comparable(
            win_list, win_price
        ):
            outcome = ListOutcome.HIGHER_PRICE
            reason = f"its price {fmt(price)} is higher than {fmt(win_price)} of {win_list.name}"
        else:
            outcome = ListOutcome.OUTRANKED
            reason = (
                f"{win_list.name} comes first in tie-break order (priority "
                f"{win_list.priority} vs {price_list.priority}, scope "
                f"{win_list.scope.kind.value} vs {price_list.scope.kind.value})"
            )
        judged[price_list.id] = ListVerdict(
            price_list.id, price_list.name, price_list.priority, outcome, reason, lost
        )
    return Resolution(
        product_id=product_id,
        quantity=quantity,
        at=at,
        currency=currency,
        mode=mode,
        unit_price=win_price,
        prices_include_tax=win_list.prices_include_tax,
        price_list_id=win_list.id,
        entry_id=win_entry.id,
        tier_min_quantity=win_entry.min_quantity,
        candidates=tuple(judged[p.id] for p in ordered),
    )


@attrs.frozen
class LineAmounts:
    """A priced line's money: net + tax = gross, each a whole number of minor units."""

    net: Decimal
    tax: Decimal
    gross: Decimal


def line_amounts(
    *,
    unit_price: Decimal,
    quantity: Decimal,
    line_discount_percent: Decimal,
    document_discount_percent: Decimal,
    tax_rate: Decimal,
    prices_include_tax: bool,
    currency: str,
    rounding: Rounding,
) -> LineAmounts:
    """The amounts of one line, rounded only at the named steps (see the module docstring)."""
    step = minor_unit(currency)
    with decimal.localcontext(prec=EXACT_PRECISION):
        exact = (
            unit_price
            * quantity
            * (HUNDRED - line_discount_percent)
            * (HUNDRED - document_discount_percent)
            / (HUNDRED * HUNDRED)
        )
        amount = rounding.apply(exact, step)  # RoundingStep.LINE_AMOUNT
        if prices_include_tax:
            net = rounding.apply(amount / (1 + tax_rate), step)  # RoundingStep.LINE_TAX
            return LineAmounts(net=net, tax=amount - net, gross=amount)
        tax = rounding.apply(amount * tax_rate, step)  # RoundingStep.LINE_TAX
        return LineAmounts(net=amount, tax=tax, gross=amount + tax)


@attrs.frozen
class DocumentTotals:
    """The sums of a document's lines, exactly."""

    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal

    @classmethod
    def of(cls, currency: str, lines: Iterable[LineAmounts]) -> DocumentTotals:
        """The exact sums of ``lines``."""
        net = tax = gross = Decimal(0)
        for line in lines:
            net += line.net
            tax += line.tax
            gross += line.gross
        return cls(currency, net, tax, gross)


def combined_discount(line_percent: Decimal, document_percent: Decimal) -> Decimal:
    """The discount a line gets from its own and the document's discount together, in %."""
    return HUNDRED - (HUNDRED - line_percent) * (HUNDRED - document_percent) / HUNDRED


def approval_reasons(
    line_discounts: Sequence[tuple[int, Decimal]],
    document_percent: Decimal,
    threshold_percent: Decimal,
) -> tuple[str, ...]:
    """Why a document needs approval: each line whose combined discount passes the threshold."""
    reasons: list[str] = []
    if document_percent > threshold_percent:
        reasons.append(
            f"document discount {document_percent.normalize():f}% exceeds the approval "
            f"threshold {threshold_percent.normalize():f}%"
        )
    for line_no, line_percent in line_discounts:
        total = combined_discount(line_percent, document_percent)
        if total > threshold_percent:
            reasons.append(
                f"line {line_no}: combined discount {total.normalize():f}% exceeds the "
                f"approval threshold {threshold_percent.normalize():f}%"
            )
    return tuple(reasons)
