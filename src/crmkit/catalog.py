"""The product catalog (产品 product): records, filter and service."""

from crmkit.domain.ids import ProductId
from crmkit.domain.product import Product
from crmkit.services.catalog import CatalogService
from crmkit.services.pagination import MAX_PAGE_SIZE, Page
from crmkit.services.ports import ProductFilter

__all__ = ["MAX_PAGE_SIZE", "CatalogService", "Page", "Product", "ProductFilter", "ProductId"]
