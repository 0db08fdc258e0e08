"""Price lists (价目表), quotes (报价单) and the sales orders quotes convert to (销售订单)."""

from crmkit.domain.price_list import Derivation, PriceEntry, PriceList, PriceListScope, ScopeKind
from crmkit.domain.pricing import (
    DocumentTotals,
    EntryOutcome,
    EntryVerdict,
    LineAmounts,
    ListOutcome,
    ListVerdict,
    NoPriceFound,
    PricingCustomer,
    PricingPolicy,
    Resolution,
    ResolutionMode,
    RoundingStep,
)
from crmkit.domain.pricing_lines import PricedItem, PricedLines
from crmkit.domain.quote import (
    ConversionExceedsRemaining,
    Quote,
    QuoteExpired,
    QuoteLine,
    QuoteStatus,
    QuoteTransitionNotAllowed,
)
from crmkit.domain.sales_order import SalesOrder, SalesOrderLine, SalesOrderStatus
from crmkit.services.pricing import EntryInput, PricingService
from crmkit.services.quotes import LineInput, QuoteService

__all__ = [
    "ConversionExceedsRemaining",
    "Derivation",
    "DocumentTotals",
    "EntryInput",
    "EntryOutcome",
    "EntryVerdict",
    "LineAmounts",
    "LineInput",
    "ListOutcome",
    "ListVerdict",
    "NoPriceFound",
    "PriceEntry",
    "PriceList",
    "PriceListScope",
    "PricedItem",
    "PricedLines",
    "PricingCustomer",
    "PricingPolicy",
    "PricingService",
    "Quote",
    "QuoteExpired",
    "QuoteLine",
    "QuoteService",
    "QuoteStatus",
    "QuoteTransitionNotAllowed",
    "Resolution",
    "ResolutionMode",
    "RoundingStep",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "ScopeKind",
]
