"""crmkit's services: use cases over the ports in :mod:`crmkit.services.ports`."""

from crmkit.services.catalog import CatalogService
from crmkit.services.pagination import MAX_PAGE_SIZE, Page
from crmkit.services.ports import Clock, ProductFilter, ProductRepository, Storage, UnitOfWork

__all__ = [
    "MAX_PAGE_SIZE",
    "CatalogService",
    "Clock",
    "Page",
    "ProductFilter",
    "ProductRepository",
    "Storage",
    "UnitOfWork",
]
