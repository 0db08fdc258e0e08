"""The arithmetic of priced lines (报价单): line amounts and tax rounded once at named steps,
document totals, combined discounts and approval reasons.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from crmkit.domain.currency import minor_unit
from crmkit.domain.ids import ProductId
from crmkit.domain.price_list import percent, quantity
from crmkit.domain.pricing_terms import EXACT_PRECISION, HUNDRED, Resolution
from crmkit.domain.rounding import Rounding

_EXACT = decimal.Context(prec=EXACT_PRECISION)
_NO_DISCOUNT = Decimal(0)
"""The context of line arithmetic, used through its methods (never made the thread's
context, so a caller's context changes nothing; its flags are never read)."""
_TEN_THOUSAND = HUNDRED * HUNDRED


@attrs.frozen(slots=False)  # a __dict__ class: its attrs __init__ is faster (per line)
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
    ctx = _EXACT
    exact = ctx.multiply(unit_price, quantity)
    if line_discount_percent or document_discount_percent:
        exact = ctx.divide(
            ctx.multiply(
                ctx.multiply(exact, ctx.subtract(HUNDRED, line_discount_percent)),
                ctx.subtract(HUNDRED, document_discount_percent),
            ),
            _TEN_THOUSAND,
        )
    amount = _rounded(exact, step, rounding)  # RoundingStep.LINE_AMOUNT
    if prices_include_tax:
        net = _rounded(ctx.divide(amount, ctx.add(1, tax_rate)), step, rounding)  # LINE_TAX
        return LineAmounts(net, ctx.subtract(amount, net), amount)
    tax = _rounded(ctx.multiply(amount, tax_rate), step, rounding)  # RoundingStep.LINE_TAX
    return LineAmounts(amount, tax, ctx.add(amount, tax))


def _rounded(value: Decimal, step: Decimal, rounding: Rounding) -> Decimal:
    """``rounding.apply(value, step)`` in the exact context; a result too large to round
    raises the error :meth:`Rounding.apply` names."""
    try:
        return value.quantize(step, rounding._value_, _EXACT)  # the member's mode, read as is
    except decimal.InvalidOperation:
        with decimal.localcontext(_EXACT):
            return rounding.apply(value, step)


def discount(value: object, what: str = "discount") -> Decimal:
    """A discount percentage from 0 to 100 with at most four decimals.

    Raises:
        FloatNotAllowed: a float was given.
        ValidationError: outside 0..100 or too many decimals.
    """
    return percent(value, what, low=Decimal(0), high=HUNDRED)


@attrs.frozen(kw_only=True)
class PricedLine:
    """A document line whose price and explanation are frozen in its ``resolution``: the
    lines of quotes (报价单) and sales orders (销售订单) share its fields and its money."""

    product_id: ProductId
    sku: str
    unit: str
    quantity: Decimal = attrs.field(converter=quantity)
    tax_rate: Decimal
    discount_percent: Decimal = attrs.field(converter=discount)
    resolution: Resolution

    @property
    def unit_price(self) -> Decimal:
        """The frozen unit price."""
        return self.resolution.unit_price

    def amounts(self, document_discount: Decimal, currency: str, rounding: Rounding) -> LineAmounts:
        """The line's net, tax and gross (see :func:`line_amounts`)."""
        return line_amounts(
            unit_price=self.unit_price,
            quantity=self.quantity,
            line_discount_percent=self.discount_percent,
            document_discount_percent=document_discount,
            tax_rate=self.tax_rate,
            prices_include_tax=self.resolution.prices_include_tax,
            currency=currency,
            rounding=rounding,
        )


def resolved_amounts(resolution: Resolution, tax_rate: Decimal, rounding: Rounding) -> LineAmounts:
    """The amounts of a resolved price for its quantity with no discounts, as a quote line
    without discounts gets them (:func:`line_amounts` at ``tax_rate``)."""
    return line_amounts(
        unit_price=resolution.unit_price,
        quantity=resolution.quantity,
        line_discount_percent=_NO_DISCOUNT,
        document_discount_percent=_NO_DISCOUNT,
        tax_rate=tax_rate,
        prices_include_tax=resolution.prices_include_tax,
        currency=resolution.currency,
        rounding=rounding,
    )


@attrs.frozen
class DocumentTotals:
    """The sums of a document's lines, exactly."""

    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal

    @classmethod
    def of(cls, currency: str, lines: Iterable[LineAmounts]) -> DocumentTotals:
        """The exact sums of ``lines`` (in the exact context, whatever the caller's)."""
        net = tax = gross = Decimal(0)
        add = _EXACT.add
        for line in lines:
            net = add(net, line.net)
            tax = add(tax, line.tax)
            gross = add(gross, line.gross)
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
