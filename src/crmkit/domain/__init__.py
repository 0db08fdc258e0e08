"""crmkit's domain: pure models and rules, with no storage and no clock of their own."""

from crmkit.domain import errors as _errors
from crmkit.domain.currency import MINOR_UNIT_DIGITS, check_currency, minor_unit
from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import *  # noqa: F403
from crmkit.domain.ids import ProductId, TenantId, new_id, tenant_id
from crmkit.domain.money import Money
from crmkit.domain.product import Product
from crmkit.domain.quantity import Quantity
from crmkit.domain.rounding import Rounding
from crmkit.domain.timestamps import utc_millis

__all__ = [
    "MINOR_UNIT_DIGITS",
    "Money",
    "Product",
    "ProductId",
    "Quantity",
    "Rounding",
    "TenantId",
    "check_currency",
    "minor_unit",
    "new_id",
    "tenant_id",
    "to_decimal",
    "utc_millis",
]
__all__ += _errors.__all__
