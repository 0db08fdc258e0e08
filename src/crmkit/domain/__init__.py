"""crmkit's domain: pure models and rules, with no storage and no clock of their own."""

from crmkit.domain.currency import MINOR_UNIT_DIGITS, check_currency, minor_unit
from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    CrmkitError,
    CurrencyMismatch,
    DuplicateRecord,
    DuplicateRequest,
    FloatNotAllowed,
    InvalidStateTransition,
    NotFound,
    StorageError,
    StorageUnavailable,
    UnitMismatch,
    ValidationError,
    WrongTenant,
)
from crmkit.domain.ids import ProductId, TenantId, new_id, tenant_id
from crmkit.domain.money import Money
from crmkit.domain.product import Product
from crmkit.domain.quantity import Quantity
from crmkit.domain.rounding import Rounding
from crmkit.domain.timestamps import utc_millis

__all__ = [
    "MINOR_UNIT_DIGITS",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CrmkitError",
    "CurrencyMismatch",
    "DuplicateRecord",
    "DuplicateRequest",
    "FloatNotAllowed",
    "InvalidStateTransition",
    "Money",
    "NotFound",
    "Product",
    "ProductId",
    "Quantity",
    "Rounding",
    "StorageError",
    "StorageUnavailable",
    "TenantId",
    "UnitMismatch",
    "ValidationError",
    "WrongTenant",
    "check_currency",
    "minor_unit",
    "new_id",
    "tenant_id",
    "to_decimal",
    "utc_millis",
]
