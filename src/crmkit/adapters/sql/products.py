"""The SQL product repository."""

from __future__ import annotations

from collections.abc import Callable, Collection

import attrs
from sqlalchemy import ColumnElement, select, update

from crmkit.adapters.sql.converters import batched, from_row, to_row
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.tables import products
from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    DuplicateRecord,
    NotFound,
    Product,
    ProductId,
    WrongTenant,
)
from crmkit.services.ports import ProductFilter

IN_BATCH = 500


class SqlProductRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._tenant = session.tenant_id

    def add(self, product: Product) -> None:
        if product.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("Product", product.id, product.tenant_id, self._tenant)
            )
        self._session.execute(
            products.insert().values(to_row(product)), on_unique=self._duplicate(product)
        )

    def get(self, product_id: ProductId) -> Product:
        row = self._session.execute(
            select(products).where(self._mine(), products.c.id == product_id)
        ).one_or_none()
        if row is None:
            raise NotFound("Product", "id", product_id, self._tenant)
        return from_row(row._mapping, Product)

    def get_by_sku(self, sku: str) -> Product:
        row = self._session.execute(
            select(products).where(self._mine(), products.c.sku == sku)
        ).one_or_none()
        if row is None:
            raise NotFound("Product", "sku", sku, self._tenant)
        return from_row(row._mapping, Product)

    def get_many(self, product_ids: Collection[ProductId]) -> dict[ProductId, Product]:
        found: dict[ProductId, Product] = {}
        for batch in batched(sorted(set(product_ids)), IN_BATCH):
            rows = self._session.execute(
                select(products).where(self._mine(), products.c.id.in_(batch))
            )
            for row in rows:
                product = from_row(row._mapping, Product)
                found[product.id] = product
        return found

    def update(self, product: Product) -> Product:
        if product.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("Product", product.id, product.tenant_id, self._tenant)
            )
        saved = attrs.evolve(product, version=product.version + 1)
        values = to_row(saved)
        del values["tenant_id"], values["id"]
        result = self._session.execute(
            update(products)
            .where(
                self._mine(),
                products.c.id == product.id,
                products.c.version == product.version,
            )
            .values(values),
            on_unique=self._duplicate(product),
        )
        if result.rowcount != 1:
            stored = self._session.execute(
                select(products.c.version).where(self._mine(), products.c.id == product.id)
            ).scalar_one_or_none()
            if stored is None:
                raise self._session.fail(NotFound("Product", "id", product.id, self._tenant))
            raise self._session.fail(
                ConcurrencyConflict(
                    "Product",
                    product.id,
                    self._tenant,
                    f"its stored version is {stored}, not {product.version}",
                )
            )
        return saved

    def list(
        self, product_filter: ProductFilter, *, after_sku: str | None, limit: int
    ) -> list[Product]:
        query = select(products).where(self._mine())
        if product_filter.active is not None:
            query = query.where(products.c.active == product_filter.active)
        if product_filter.category is not None:
            query = query.where(products.c.category == product_filter.category)
        if after_sku is not None:
            query = query.where(products.c.sku > after_sku)
        rows = self._session.execute(query.order_by(products.c.sku).limit(limit))
        return [from_row(row._mapping, Product) for row in rows]

    def _mine(self) -> ColumnElement[bool]:
        mine: ColumnElement[bool] = products.c.tenant_id == self._tenant
        return mine

    def _duplicate(self, product: Product) -> Callable[[str], CrmkitError]:
        def error(constraint: str) -> CrmkitError:
            if "sku" in constraint:
                return DuplicateRecord("Product", "sku", product.sku, product.tenant_id)
            return DuplicateRecord("Product", "id", product.id, product.tenant_id)

        return error
