"""Shelf checks (盘点动作) and the figures derived between two checks of the same store.

Sell-through of a product between two checks = previous on shelf + delivered to the store
in between - returned by the store in between - current on shelf. Every figure is exact
Decimal; a percentage rounds half even to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.quantity import normal_quantity
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

QUANTITY_STEP = Decimal("0.001")
PRICE_STEP = Decimal("0.0001")
PERCENT_STEP = Decimal("0.01")
MAX_LINES = 500
ZERO = Decimal(0)


@attrs.frozen
class ShelfLine:
    """One product seen on the shelf: facings, quantity on the shelf, the price seen."""

    product_id: str
    facings: int
    on_shelf: Decimal
    price_seen: Decimal | None = None


@attrs.frozen
class ShelfCheck:
    """The shelf of one store (customer) as counted during a visit."""

    id: str
    tenant_id: TenantId
    customer_id: str
    visit_id: str
    checked_at: datetime
    lines: tuple[ShelfLine, ...]
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        customer_id: str,
        visit_id: str,
        lines: object,
        now: datetime,
    ) -> ShelfCheck:
        """A checked shelf check; lines sorted by product.

        Raises:
            ValidationError: no lines, a product twice, negative or fractional figures
                beyond 3 decimals (quantities) or 4 (prices), floats.
        """
        where = f"shelf check of visit {visit_id!r}"
        if not isinstance(lines, (list, tuple)) or not 1 <= len(lines) <= MAX_LINES:
            raise ValidationError(f"{where}: give 1..{MAX_LINES} ShelfLines.")
        checked = [_line(line, where) for line in lines]
        if len({x.product_id for x in checked}) != len(checked):
            raise ValidationError(f"{where}: each product may appear once.")
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            customer_id=customer_id,
            visit_id=visit_id,
            checked_at=utc_millis(now),
            lines=tuple(sorted(checked, key=lambda x: x.product_id)),
        )

    def on_shelf(self) -> dict[str, Decimal]:
        """Quantity on the shelf per product."""
        return {x.product_id: x.on_shelf for x in self.lines}


def _exact(value: object, step: Decimal, what: str, places: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise ValidationError(f"{what} must be a Decimal (never float).")
    number = Decimal(value)
    if not number.is_finite() or number < 0 or number >= 10**12 or number != number.quantize(step):
        raise ValidationError(
            f"{what} {value} must be finite, 0 or more, below 10^12, with at most "
            f"{places} decimals."
        )
    return number.quantize(step)


def _line(line: object, where: str) -> ShelfLine:
    if not isinstance(line, ShelfLine):
        raise ValidationError(f"{where}: every line must be a ShelfLine.")
    product = clean_text(line.product_id, f"product id in {where}", max_length=32)
    what = f"product {product!r} in {where}"
    if type(line.facings) is not int or not 0 <= line.facings <= 10_000:
        raise ValidationError(f"facings of {what} must be whole, 0..10000.")
    price = line.price_seen
    return ShelfLine(
        product,
        line.facings,
        normal_quantity(_exact(line.on_shelf, QUANTITY_STEP, f"on-shelf quantity of {what}", 3)),
        None if price is None else _exact(price, PRICE_STEP, f"price seen of {what}", 4),
    )


def sell_through(
    previous: ShelfCheck,
    current: ShelfCheck,
    delivered: Mapping[str, Decimal],
    returned: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    """Units sold per product between two checks of the same store.

    Products on either shelf or delivered in between are listed; a product missing from a
    check counts 0 on that shelf. A negative figure means the counts, deliveries and returns
    do not add up (shrinkage counted twice, a delivery not recorded) and is reported as is.

    Raises:
        ValidationError: the checks are of different stores or in the wrong order.
    """
    if previous.customer_id != current.customer_id or previous.checked_at > current.checked_at:
        raise ValidationError(
            f"sell-through compares two checks of one store, the earlier first; got "
            f"{previous.id!r} and {current.id!r}."
        )
    before, after = previous.on_shelf(), current.on_shelf()
    products = sorted(set(before) | set(after) | set(delivered) | set(returned))
    return {
        p: before.get(p, ZERO) + delivered.get(p, ZERO) - returned.get(p, ZERO) - after.get(p, ZERO)
        for p in products
    }


def out_of_stock(check: ShelfCheck, expected: Mapping[str, object] | None = None) -> list[str]:
    """Products with nothing on the shelf: lines counted 0, and products of ``expected``
    (the store's assortment) not seen at all."""
    seen = check.on_shelf()
    empty = {p for p, q in seen.items() if q == 0}
    missing = set(expected or ()) - set(seen)
    return sorted(empty | missing)


@attrs.frozen
class PriceDeviation:
    """A price seen on the shelf that differs from the store's price list."""

    product_id: str
    seen: Decimal
    listed: Decimal
    difference: Decimal
    difference_percent: Decimal | None
    """Difference over listed price, in percent, half even to 2 decimals (None if listed is 0)."""


def price_deviations(check: ShelfCheck, listed: Mapping[str, Decimal]) -> list[PriceDeviation]:
    """The products whose price seen differs from their listed price (unlisted: left out)."""
    found = []
    for line in check.lines:
        price = listed.get(line.product_id)
        if line.price_seen is None or price is None or line.price_seen == price:
            continue
        difference = line.price_seen - price
        percent = None
        if price != 0:
            percent = (difference * 100 / price).quantize(PERCENT_STEP, ROUND_HALF_EVEN)
        found.append(PriceDeviation(line.product_id, line.price_seen, price, difference, percent))
    return found


SHELF_CHECKS: RecordType[ShelfCheck] = RecordType(
    ShelfCheck,
    entity="ShelfCheck",
    name="shelf_check",
    fields=(
        text("id", 32),
        text("customer_id", 32, indexed=True),
        text("visit_id", 32, indexed=True),
        scalar("checked_at", FieldKind.DATETIME, indexed=True),
    ),
    nested=("lines",),
)
