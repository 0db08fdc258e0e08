"""The unit-of-work contract: transactions, rollback, optimistic concurrency."""

from __future__ import annotations

import threading
from typing import ClassVar

import attrs
import pytest

from crmkit.domain import ConcurrencyConflict, DuplicateRecord, NotFound
from crmkit.services import Storage
from crmkit.testing.contracts.support import a_product, all_products, store
from crmkit.testing.running import run_threads
from crmkit.testing.tenants import fresh_tenant


class UnitOfWorkContract:
    """Every storage's units of work commit, roll back and conflict the same way."""

    writers: ClassVar[int] = 6

    def test_rolls_back_uncommitted_work_by_default(self, storage: Storage) -> None:
        """Leaving the block without commit discards the changes."""
        tenant = fresh_tenant()
        with storage.unit_of_work(tenant) as uow:
            uow.products.add(a_product(tenant))
        assert all_products(storage, tenant) == []

    def test_rolls_back_on_error(self, storage: Storage) -> None:
        """An exception inside the block discards the changes."""
        tenant = fresh_tenant()

        class Boom(Exception):
            pass

        def fail_midway() -> None:
            with storage.unit_of_work(tenant) as uow:
                uow.products.add(a_product(tenant))
                raise Boom

        with pytest.raises(Boom):
            fail_midway()
        assert all_products(storage, tenant) == []

    def test_keeps_changes_on_commit(self, storage: Storage) -> None:
        """Committed changes are visible to a later unit of work."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        store(storage, product)
        assert all_products(storage, tenant) == [product]

    def test_explicit_rollback_discards_changes_since_commit(self, storage: Storage) -> None:
        """rollback() drops what came after the last commit and keeps what came before."""
        tenant = fresh_tenant()
        first, second = a_product(tenant, "A"), a_product(tenant, "B")
        with storage.unit_of_work(tenant) as uow:
            uow.products.add(first)
            uow.commit()
            uow.products.add(second)
            uow.rollback()
            uow.products.add(attrs.evolve(second, sku="C"))
            uow.commit()
        assert [p.sku for p in all_products(storage, tenant)] == ["A", "C"]

    def test_sees_its_own_uncommitted_writes(self, storage: Storage) -> None:
        """A unit of work reads back what it wrote before committing."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        with storage.unit_of_work(tenant) as uow:
            uow.products.add(product)
            assert uow.products.get(product.id) == product
            assert uow.products.get_by_sku(product.sku) == product

    def test_uncommitted_writes_are_invisible_to_others(self, storage: Storage) -> None:
        """Another unit of work does not see changes before they are committed."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        with storage.unit_of_work(tenant) as writer:
            writer.products.add(product)
            with storage.unit_of_work(tenant) as reader, pytest.raises(NotFound):
                reader.products.get(product.id)
            writer.commit()
        assert all_products(storage, tenant) == [product]

    def test_a_rejected_write_rolls_back_the_whole_unit_of_work(self, storage: Storage) -> None:
        """After a write raises, the unit of work's earlier uncommitted writes are gone too."""
        tenant = fresh_tenant()
        store(storage, a_product(tenant, "TAKEN"))
        with storage.unit_of_work(tenant) as uow:
            uow.products.add(a_product(tenant, "NEW"))
            with pytest.raises(DuplicateRecord):
                uow.products.add(a_product(tenant, "TAKEN"))
            uow.commit()
        assert [p.sku for p in all_products(storage, tenant)] == ["TAKEN"]

    def test_two_units_of_work_cannot_both_change_the_same_product(self, storage: Storage) -> None:
        """The second writer of the same version gets ConcurrencyConflict and changes nothing."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        store(storage, product)
        with storage.unit_of_work(tenant) as first, storage.unit_of_work(tenant) as second:
            mine = first.products.get(product.id)
            theirs = second.products.get(product.id)
            first.products.update(attrs.evolve(mine, name="first"))
            first.commit()

            def second_writes() -> None:
                # The conflict may surface at the write (SQL, MongoDB) or at commit.
                second.products.update(attrs.evolve(theirs, name="second"))
                second.commit()

            with pytest.raises(ConcurrencyConflict):
                second_writes()
        [stored] = all_products(storage, tenant)
        assert (stored.name, stored.version) == ("first", 2)

    def test_parallel_writers_lose_no_update(self, storage: Storage) -> None:
        """Threads racing to update one product: each success bumps the version exactly once."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        store(storage, product)
        barrier = threading.Barrier(self.writers)
        outcomes: list[str] = []

        def write(n: int) -> None:
            try:
                with storage.unit_of_work(tenant) as uow:
                    current = uow.products.get(product.id)
                    barrier.wait(timeout=30)
                    uow.products.update(attrs.evolve(current, name=f"writer {n}"))
                    uow.commit()
                outcomes.append(f"won {n}")
            except ConcurrencyConflict:
                outcomes.append("conflict")

        run_threads(write, self.writers, timeout=60)
        wins = [o for o in outcomes if o.startswith("won")]
        [stored] = all_products(storage, tenant)
        assert len(outcomes) == self.writers
        assert len(wins) >= 1
        assert stored.version == 1 + len(wins)
        if len(wins) == 1:
            assert stored.name == f"writer {wins[0].split()[1]}"
