"""The MongoDB product repository."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import attrs
from pymongo import ASCENDING

from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.mongo.indexes import PRODUCTS
from crmkit.adapters.mongo.session import MongoSession
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


class MongoProductRepository:
    def __init__(self, session: MongoSession) -> None:
        self._session = session
        self._tenant = session.tenant_id
        self._products = session.database[PRODUCTS]

    def add(self, product: Product) -> None:
        if product.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("Product", product.id, product.tenant_id, self._tenant)
            )
        document = to_document(product)
        self._session.run(
            lambda s: self._products.insert_one(document, session=s),
            on_duplicate=self._duplicate(product),
        )

    def get(self, product_id: ProductId) -> Product:
        return self._one("id", product_id)

    def get_by_sku(self, sku: str) -> Product:
        return self._one("sku", sku)

    def get_many(self, product_ids: Collection[ProductId]) -> dict[ProductId, Product]:
        wanted = sorted(set(product_ids))
        documents = self._session.run(
            lambda s: list(
                self._products.find({"tenant_id": self._tenant, "id": {"$in": wanted}}, session=s)
            )
        )
        found = (from_document(d, Product) for d in documents)
        return {p.id: p for p in found}

    def update(self, product: Product) -> Product:
        if product.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("Product", product.id, product.tenant_id, self._tenant)
            )
        saved = attrs.evolve(product, version=product.version + 1)
        result = self._session.run(
            lambda s: self._products.update_one(
                {"tenant_id": self._tenant, "id": product.id, "version": product.version},
                {"$set": to_document(saved)},
                session=s,
            ),
            on_duplicate=self._duplicate(product),
        )
        if result.matched_count != 1:
            stored = self._session.run(
                lambda s: self._products.find_one(
                    {"tenant_id": self._tenant, "id": product.id}, {"version": 1}, session=s
                )
            )
            if stored is None:
                raise self._session.fail(NotFound("Product", "id", product.id, self._tenant))
            raise self._session.fail(
                ConcurrencyConflict(
                    "Product",
                    product.id,
                    self._tenant,
                    f"its stored version is {stored['version']}, not {product.version}",
                )
            )
        return saved

    def list(
        self, product_filter: ProductFilter, *, after_sku: str | None, limit: int
    ) -> list[Product]:
        query: dict[str, Any] = {"tenant_id": self._tenant}
        if product_filter.active is not None:
            query["active"] = product_filter.active
        if product_filter.category is not None:
            query["category"] = product_filter.category
        if after_sku is not None:
            query["sku"] = {"$gt": after_sku}
        documents = self._session.run(
            lambda s: list(
                self._products.find(query, session=s).sort("sku", ASCENDING).limit(limit)
            )
        )
        return [from_document(d, Product) for d in documents]

    def _one(self, key: str, value: str) -> Product:
        document = self._session.run(
            lambda s: self._products.find_one({"tenant_id": self._tenant, key: value}, session=s)
        )
        if document is None:
            raise NotFound("Product", key, value, self._tenant)
        return from_document(document, Product)

    def _duplicate(self, product: Product) -> Callable[[str], CrmkitError]:
        def error(index: str) -> CrmkitError:
            if "sku" in index:
                return DuplicateRecord("Product", "sku", product.sku, product.tenant_id)
            return DuplicateRecord("Product", "id", product.id, product.tenant_id)

        return error
