"""Hypothesis strategies for crmkit's records, shared by the contract suite and tests.

Values stay inside what every backend stores exactly: text without control characters,
millisecond UTC timestamps between 1970 and 2200, decimals with the stored scale.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import strategies as st

from crmkit.domain import Product, ProductId, TenantId, new_id
from crmkit.domain.product import CATEGORY_MAX_LENGTH, NAME_MAX_LENGTH, SKU_MAX_LENGTH

# Letters, digits, punctuation, symbols and spaces from the whole of Unicode (astral too).
_CHARACTERS = st.characters(categories=("L", "N", "P", "S", "Zs"))


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Non-blank single-line text that a record keeps after stripping."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def timestamps() -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes with whole milliseconds."""
    return st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - bounds for hypothesis, made aware below
        max_value=datetime(2199, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))


def tax_rates() -> st.SearchStrategy[Decimal]:
    """Tax rates from 0 to 1 with four decimals."""
    return st.integers(0, 10_000).map(lambda n: Decimal(n).scaleb(-4))


@st.composite
def products(draw: st.DrawFn, tenant_id: TenantId) -> Product:
    """Any valid product of ``tenant_id``."""
    created = draw(timestamps())
    updated = draw(timestamps().filter(lambda d: d >= created))
    return Product(
        id=ProductId(new_id()),
        tenant_id=tenant_id,
        sku=draw(texts(SKU_MAX_LENGTH)),
        name=draw(texts(NAME_MAX_LENGTH)),
        unit=draw(st.sampled_from(["pcs", "kg", "box", "m", "L", "件", "箱"])),
        tax_rate=draw(tax_rates()),
        category=draw(st.none() | texts(CATEGORY_MAX_LENGTH)),
        active=draw(st.booleans()),
        created_at=created,
        updated_at=updated,
        version=draw(st.integers(1, 2**31 - 1)),
    )
