"""The product catalog service (产品)."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain import Product, ProductId
from crmkit.domain.product import CATEGORY_MAX_LENGTH
from crmkit.domain.text import clean_text
from crmkit.services.boundary import checked_calls
from crmkit.services.pagination import Page, check_page_size, decode_cursor, encode_cursor
from crmkit.services.ports import ProductFilter
from crmkit.services.tenant_service import TenantService, expect_version

UNSET: object = object()


@checked_calls
class CatalogService(TenantService):
    """Creates, changes and finds the products of one tenant."""

    def create_product(
        self,
        *,
        sku: str,
        name: str,
        unit: str,
        tax_rate: Decimal | int | str,
        category: str | None = None,
    ) -> Product:
        """Create an active product.

        Raises:
            ValidationError: a field breaks its rule.
            DuplicateRecord: the tenant already has a product with this SKU.
        """
        return self._add(
            lambda uow: uow.products,
            lambda uow: Product.new(
                uow.tenant_id,
                sku=sku,
                name=name,
                unit=unit,
                tax_rate=tax_rate,
                category=category,
                now=self._clock.now(),
            ),
        )

    def update_product(
        self,
        product_id: ProductId,
        *,
        expected_version: int | None = None,
        sku: object = UNSET,
        name: object = UNSET,
        unit: object = UNSET,
        tax_rate: object = UNSET,
        category: object = UNSET,
    ) -> Product:
        """Change the given fields of a product; fields left out keep their value.

        Pass ``expected_version`` (the version the caller showed its user) to refuse the
        change if someone else changed the product in between.

        Raises:
            NotFound: no such product in this tenant.
            ValidationError: a new value breaks its rule.
            DuplicateRecord: the new SKU belongs to another product.
            ConcurrencyConflict: the product's version is not ``expected_version``, or
                another writer changed it during this call.
        """
        changes = {
            field: value
            for field, value in {
                "sku": sku,
                "name": name,
                "unit": unit,
                "tax_rate": tax_rate,
                "category": category,
            }.items()
            if value is not UNSET
        }
        return self._change(product_id, expected_version, changes)

    def deactivate_product(
        self, product_id: ProductId, *, expected_version: int | None = None
    ) -> Product:
        """Mark a product as no longer sold; a no-op if it is inactive already.

        Raises:
            NotFound: no such product in this tenant.
            ConcurrencyConflict: as for :meth:`update_product`.
        """
        return self._change(product_id, expected_version, {"active": False})

    def activate_product(
        self, product_id: ProductId, *, expected_version: int | None = None
    ) -> Product:
        """Put a deactivated product back on sale; a no-op if it is active.

        Raises:
            NotFound: no such product in this tenant.
            ConcurrencyConflict: as for :meth:`update_product`.
        """
        return self._change(product_id, expected_version, {"active": True})

    def get_product(self, product_id: ProductId) -> Product:
        """The product with this id.

        Raises:
            NotFound: no such product in this tenant.
        """
        with self._uow() as uow:
            return uow.products.get(product_id)

    def get_product_by_sku(self, sku: str) -> Product:
        """The product with this SKU (surrounding whitespace ignored, case-sensitive).

        Raises:
            NotFound: no such product in this tenant.
        """
        with self._uow() as uow:
            return uow.products.get_by_sku(sku.strip())

    def list_products(
        self,
        *,
        active: bool | None = None,
        category: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[Product]:
        """A page of products ordered by SKU; pass ``next_cursor`` back for the next page.

        Raises:
            ValidationError: the page size is outside 1..500, the cursor is not valid or
                the category is blank, too long or has control characters.
        """
        check_page_size(limit)
        if category is not None:  # cleaned as on write, so " tools " finds "tools"
            category = clean_text(category, "product category", max_length=CATEGORY_MAX_LENGTH)
        after = decode_cursor(cursor, 1)[0] if cursor is not None else None
        with self._uow() as uow:
            rows = uow.products.list(
                ProductFilter(active=active, category=category), after_sku=after, limit=limit + 1
            )
        items = tuple(rows[:limit])
        more = len(rows) > limit
        return Page(items, encode_cursor([items[-1].sku]) if more else None)

    def _change(
        self, product_id: ProductId, expected_version: int | None, changes: dict[str, object]
    ) -> Product:
        with self._uow() as uow:
            product = uow.products.get(product_id)
            expect_version(uow, "Product", product_id, product.version, expected_version)
            changed = product.changed(self._clock.now(), **changes)
            if changed is product:
                return product
            saved = uow.products.update(changed)
            uow.commit()
        return saved
