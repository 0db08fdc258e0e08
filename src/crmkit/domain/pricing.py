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

from crmkit.domain.line_amounts import (
    DocumentTotals,
    LineAmounts,
    approval_reasons,
    combined_discount,
    line_amounts,
    resolved_amounts,
)
from crmkit.domain.price_resolution import (
    entry_order,
    resolve_price,
    tie_break_key,
)
from crmkit.domain.pricing_terms import (
    EPOCH,
    EXACT_PRECISION,
    HUNDRED,
    EntryOutcome,
    EntryVerdict,
    ListOutcome,
    ListVerdict,
    NoPriceFound,
    PricingCustomer,
    PricingPolicy,
    Resolution,
    ResolutionMode,
    RoundingStep,
    codes,
    fmt,
)

__all__ = [
    "EPOCH",
    "EXACT_PRECISION",
    "HUNDRED",
    "DocumentTotals",
    "EntryOutcome",
    "EntryVerdict",
    "LineAmounts",
    "ListOutcome",
    "ListVerdict",
    "NoPriceFound",
    "PricingCustomer",
    "PricingPolicy",
    "Resolution",
    "ResolutionMode",
    "RoundingStep",
    "approval_reasons",
    "codes",
    "combined_discount",
    "entry_order",
    "fmt",
    "line_amounts",
    "resolve_price",
    "resolved_amounts",
    "tie_break_key",
]
