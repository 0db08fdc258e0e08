"""crmkit: the domain core of a CRM/order system, with pluggable storage.

Start with :func:`open_crm`. The records, inputs and services of each area live in one
module each: :mod:`crmkit.catalog`, :mod:`crmkit.pricing`, :mod:`crmkit.accounts`,
:mod:`crmkit.inventory`; every error is in :mod:`crmkit.errors`; JSON in
:mod:`crmkit.serialization`::

    from crmkit import open_crm

    with open_crm("sqlite:///crm.db", upgrade_schema=True) as crm:
        acme = crm.tenant("acme")
        acme.catalog.create_product(sku="TEA-01", name="Green tea", unit="box", tax_rate="0.13")
"""

import logging

from crmkit.adapters.clock import FixedClock, SystemClock
from crmkit.bootstrap import Crm, open_crm, open_storage, upgrade_database
from crmkit.domain import Money, Product, ProductId, Quantity, Rounding, TenantId
from crmkit.domain import errors as _core
from crmkit.domain.errors import *  # noqa: F403
from crmkit.errors import InsufficientFunds, InsufficientStock, NoPriceFound
from crmkit.services import Page
from crmkit.tenant_services import TenantServices

__version__ = "0.1.0"

# crmkit logs under the "crmkit" logger (crmkit.retry, crmkit.migrations); the application
# decides where records go.
logging.getLogger("crmkit").addHandler(logging.NullHandler())

__all__ = [
    "Crm",
    "FixedClock",
    "InsufficientFunds",
    "InsufficientStock",
    "Money",
    "NoPriceFound",
    "Page",
    "Product",
    "ProductId",
    "Quantity",
    "Rounding",
    "SystemClock",
    "TenantId",
    "TenantServices",
    "__version__",
    "open_crm",
    "open_storage",
    "upgrade_database",
]
__all__ += _core.__all__
