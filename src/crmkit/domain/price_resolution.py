"""Price resolution with its explanation: the tie-break order of price lists, the tier inside a
list, and :func:`resolve_price` (pure functions, no storage, no clock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from crmkit.domain.ids import ProductId
from crmkit.domain.price_list import (
    PriceEntry,
    PriceList,
    PriceListId,
)
from crmkit.domain.pricing_terms import (
    EPOCH,
    EntryOutcome,
    EntryVerdict,
    ListOutcome,
    ListVerdict,
    NoPriceFound,
    PricingCustomer,
    Resolution,
    ResolutionMode,
    fmt,
)

_MILLISECOND = timedelta(milliseconds=1)


def _millis(moment: datetime) -> int:
    return (moment - EPOCH) // _MILLISECOND


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
