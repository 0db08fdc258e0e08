"""crmkit: the domain core of a CRM/order system, with pluggable storage.

Start with :func:`open_crm`::

    from crmkit import open_crm

    with open_crm("sqlite:///crm.db", upgrade_schema=True) as crm:
        acme = crm.tenant("acme")
        acme.catalog.create_product(sku="TEA-01", name="Green tea", unit="box", tax_rate="0.13")
"""

from crmkit.adapters.clock import FixedClock, SystemClock
from crmkit.bootstrap import Crm, TenantServices, open_crm, open_storage
from crmkit.domain import (
    ConcurrencyConflict,
    ConfigurationError,
    CrmkitError,
    CurrencyMismatch,
    DuplicateRecord,
    DuplicateRequest,
    FloatNotAllowed,
    InvalidStateTransition,
    Money,
    NotFound,
    Product,
    ProductId,
    Quantity,
    Rounding,
    StorageError,
    StorageUnavailable,
    TenantId,
    UnitMismatch,
    ValidationError,
    WrongTenant,
)
from crmkit.services import Page

__version__ = "0.1.0"

__all__ = [
    "ConcurrencyConflict",
    "ConfigurationError",
    "Crm",
    "CrmkitError",
    "CurrencyMismatch",
    "DuplicateRecord",
    "DuplicateRequest",
    "FixedClock",
    "FloatNotAllowed",
    "InvalidStateTransition",
    "Money",
    "NotFound",
    "Page",
    "Product",
    "ProductId",
    "Quantity",
    "Rounding",
    "StorageError",
    "StorageUnavailable",
    "SystemClock",
    "TenantId",
    "TenantServices",
    "UnitMismatch",
    "ValidationError",
    "WrongTenant",
    "open_crm",
    "open_storage",
]
