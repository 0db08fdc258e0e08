"""The SQL stock level repository: levels locked in key order, saved in one round trip."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select

from crmkit.adapters.sql.converters import batched, from_row, to_row
from crmkit.adapters.sql.direct import built_once
from crmkit.adapters.sql.inventory import IN_BATCH, LOCK_BATCH, _SqlRepository
from crmkit.adapters.sql.statements import (
    insert_into,
    set_columns,
    update_params,
    versioned_update,
)
from crmkit.adapters.sql.tables import stock_levels
from crmkit.domain import ConcurrencyConflict, ProductId
from crmkit.domain.inventory import StockLevel
from crmkit.domain.versioning import next_version
from crmkit.services.inventory_ports import StockKey


class SqlStockLevelRepository(_SqlRepository):
    table = stock_levels

    def lock(self, keys: Collection[StockKey]) -> dict[StockKey, StockLevel]:
        wanted = sorted(set(keys))
        products = sorted({p for p, _ in wanted})
        houses = sorted({w for _, w in wanted})
        found: dict[StockKey, StockLevel] = {}
        if wanted and len(wanted) == len(products) * len(houses) <= LOCK_BATCH * 5:
            # Every product in every warehouse (a reserve): two IN lists, cached, indexed.
            rows = self._session.execute(
                _lock_grid(),
                {"k_tenant_id": self._tenant, "k_products": products, "k_houses": houses},
            )
            for row in rows:
                level = from_row(row._mapping, StockLevel)
                found[(level.product_id, level.warehouse_id)] = level
            return found
        c = stock_levels.c
        for batch in batched(wanted, LOCK_BATCH):
            pairs = or_(*(and_(c.product_id == p, c.warehouse_id == w) for p, w in batch))
            rows = self._session.execute(
                select(stock_levels)
                .where(self._mine(), pairs)
                .order_by(c.product_id, c.warehouse_id)
                .with_for_update()
            )
            for row in rows:
                level = from_row(row._mapping, StockLevel)
                found[(level.product_id, level.warehouse_id)] = level
        return found

    def for_products(self, product_ids: Collection[ProductId]) -> list[StockLevel]:
        c = stock_levels.c
        found: list[StockLevel] = []
        for batch in batched(sorted(set(product_ids)), IN_BATCH):
            rows = self._session.execute(
                select(stock_levels)
                .where(self._mine(), c.product_id.in_(batch))
                .order_by(c.product_id, c.warehouse_id)
            )
            found.extend(from_row(row._mapping, StockLevel) for row in rows)
        return found

    def save(self, level: StockLevel) -> StockLevel:
        return self.save_many([level])[0]

    def save_many(self, levels: Sequence[StockLevel]) -> list[StockLevel]:
        for level in levels:
            self._same_tenant("StockLevel", level.product_id, level.tenant_id)
        saved = [next_version(x) for x in levels]
        added = [to_row(x) for x in saved if x.version == 1]
        if added:
            self._session.write(
                insert_into(stock_levels),
                added,
                on_unique=lambda _: self._conflict([x for x in levels if x.version == 0]),
            )
        changed = [(x, to_row(y)) for x, y in zip(levels, saved, strict=True) if x.version]
        if changed:
            statement = versioned_update(stock_levels, _LEVEL_KEYS, _level_columns(changed))
            params = [update_params(row, _LEVEL_KEYS, x.version) for x, row in changed]

            def check(count: int) -> None:
                if count != len(params):
                    raise self._session.fail(self._conflict([x for x, _ in changed]))

            self._session.write(statement, params, check=check)
        return saved

    def _conflict(self, levels: Sequence[StockLevel]) -> ConcurrencyConflict:
        keys = ", ".join(f"{x.product_id}@{x.warehouse_id}" for x in levels[:3])
        return ConcurrencyConflict(
            "StockLevel",
            keys,
            self._tenant,
            "another unit of work created or changed this stock level first",
        )


_LEVEL_KEYS = ("tenant_id", "product_id", "warehouse_id")


@built_once
def _lock_grid() -> Select[Any]:
    c = stock_levels.c
    return (
        select(stock_levels)
        .where(
            c.tenant_id == bindparam("k_tenant_id"),
            c.product_id.in_(bindparam("k_products", expanding=True)),
            c.warehouse_id.in_(bindparam("k_houses", expanding=True)),
        )
        .order_by(c.product_id, c.warehouse_id)
        .with_for_update()
    )


def _level_columns(changed: Sequence[tuple[StockLevel, dict[str, Any]]]) -> tuple[str, ...]:
    return set_columns(changed[0][1], _LEVEL_KEYS)
