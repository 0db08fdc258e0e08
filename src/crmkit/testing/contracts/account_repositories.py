"""The customer account repository contract (客户账户): accounts, holds, journal entries and
policies round-trip and conflict on every storage.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.adapters.clock import FixedClock
from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    NotFound,
)
from crmkit.domain.accounts import Fund, HoldStatus
from crmkit.domain.deduction import DeductionPolicy, OrderLine
from crmkit.services import Storage, account_steps
from crmkit.services.account_ports import StoredPolicy
from crmkit.testing.account_strategies import (
    customer_accounts,
    holds,
    journal_entries,
    policies,
    rebate_grants,
)
from crmkit.testing.contracts.support import canonical
from crmkit.testing.ledger import T0, account_state, accounts_service, cny
from crmkit.testing.tenants import fresh_tenant

D = Decimal
SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
EARLY = datetime(1900, 1, 1, tzinfo=UTC)
LATE = datetime(9000, 1, 1, tzinfo=UTC)


def lines(*amounts: str, product: str = "P1", category: str | None = "tea") -> list[OrderLine]:
    """Order lines of ``product`` in CNY, one per amount."""
    return [OrderLine(product, category, cny(a)) for a in amounts]


class CustomerAccountRepositoryContract:
    """Every storage keeps accounts, grants, holds, journal entries and policies alike."""

    max_examples: ClassVar[int] = 25

    def test_records_load_back_equal(self, storage: Storage) -> None:
        """Any account, grant, hold, entry and policy loads back equal (hypothesis)."""

        @settings(max_examples=self.max_examples, deadline=None, suppress_health_check=SLOW)
        @given(data=st.data())
        def round_trip(data: st.DataObject) -> None:
            tenant = fresh_tenant()
            account = data.draw(customer_accounts(tenant))
            grant = data.draw(rebate_grants(tenant, account.id))
            hold = data.draw(holds(tenant, account.id))
            entry = data.draw(journal_entries(tenant, account.id, 1))
            policy = StoredPolicy(tenant, account.id, data.draw(policies()).to_json(), T0)
            with storage.unit_of_work(tenant) as uow:
                uow.customer_accounts.add(account)
                uow.rebate_grants.add(grant)
                uow.holds.add(hold)
                uow.journal.append(entry)
                uow.deduction_policies.add(policy)
                uow.commit()
            with storage.unit_of_work(tenant) as uow:
                assert uow.customer_accounts.get(account.id) == account
                assert uow.customer_accounts.find(account.customer_id, account.currency) == account
                assert uow.rebate_grants.of_account(account.id) == [grant]
                assert uow.holds.get(hold.id) == hold
                assert uow.holds.of_order(account.id, hold.order_id) == [hold]
                posted = {f: D(0) for f in Fund} | {hold.fund: hold.posted - hold.refunded}
                assert uow.holds.posted_totals(account.id) == posted
                expiring = hold.status is HoldStatus.PENDING and hold.expires_at is not None
                assert uow.holds.due(account.id, LATE) == ([hold] if expiring else [])
                assert uow.holds.due(account.id, EARLY) == []
                assert uow.journal.between(account.id, 1, 1) == [entry]
                assert uow.deduction_policies.get(account.id) == policy
                assert DeductionPolicy.from_json(policy.document).to_json() == policy.document
                # Identical, not only equal: amounts keep one scale on every backend.
                assert canonical(uow.customer_accounts.get(account.id)) == canonical(account)
                assert canonical(uow.rebate_grants.of_account(account.id)) == canonical([grant])
                assert canonical(uow.holds.get(hold.id)) == canonical(hold)
                assert canonical(uow.journal.between(account.id, 1, 1)) == canonical([entry])

        round_trip()

    def test_one_account_per_customer_and_currency(self, storage: Storage) -> None:
        """A second account for the same customer and currency raises DuplicateRecord."""
        tenant = fresh_tenant()
        service = accounts_service(storage, tenant)
        first = service.open_account("C1", "CNY")
        with pytest.raises(DuplicateRecord):
            service.open_account("C1", "CNY")
        other = service.open_account("C1", "USD")
        assert service.find_account("C1", "CNY") == first
        assert service.find_account("C1", "USD") == other

    def test_a_stale_account_write_conflicts(self, storage: Storage) -> None:
        """Two units of work writing the same account version: the second conflicts."""
        tenant = fresh_tenant()
        account = accounts_service(storage, tenant).open_account("C1", "CNY")
        with storage.unit_of_work(tenant) as first:
            first.customer_accounts.update(attrs.evolve(account, last_seq=1))
            first.commit()

        def second_writes() -> None:
            with storage.unit_of_work(tenant) as second:
                second.customer_accounts.update(attrs.evolve(account, last_seq=2))
                second.commit()

        with pytest.raises(ConcurrencyConflict):
            second_writes()
        with storage.unit_of_work(tenant) as uow:
            assert uow.customer_accounts.get(account.id).last_seq == 1

    def test_a_taken_journal_seq_conflicts(self, storage: Storage) -> None:
        """Appending an entry whose seq exists raises ConcurrencyConflict (lost-update guard)."""
        tenant = fresh_tenant()
        service = accounts_service(storage, tenant)
        account = service.open_account("C1", "CNY")
        entry = service.deposit(account.id, cny(5), key="k1").entries[0]

        def append_again() -> None:
            with storage.unit_of_work(tenant) as uow:
                uow.journal.append(attrs.evolve(entry, key="other"))
                uow.commit()

        with pytest.raises(ConcurrencyConflict):
            append_again()
        assert account_state(storage, tenant, account.id).entries == (entry,)

    def test_another_tenant_sees_nothing(self, storage: Storage) -> None:
        """Accounts, holds and policies of one tenant are not found from another."""
        owner, other = fresh_tenant(), fresh_tenant()
        service = accounts_service(storage, owner)
        account = service.open_account("C1", "CNY")
        service.deposit(account.id, cny(100), key="d")
        hold_id = service.place_holds(account.id, "SO-1", cny(10), lines("10"), key="h").hold_ids
        intruder = accounts_service(storage, other)
        with pytest.raises(NotFound):
            intruder.get_account(account.id)
        with pytest.raises(NotFound):
            intruder.get_hold(hold_id[0])
        with pytest.raises(NotFound):
            intruder.deposit(account.id, cny(1), key="d")
        with storage.unit_of_work(other) as uow:
            assert uow.journal.between(account.id, 1, 10) == []
            assert uow.holds.expiring(T0 + timedelta(days=999), 10) == []

    def test_due_holds_come_in_batches_of_one_account(
        self, storage: Storage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``due`` gives only this account's pending holds whose expiry has passed, by
        expiry and id, ``limit`` at a time after the ``after`` hold (ties of one expiry
        longer than a batch included); a read of current funds takes them all."""
        tenant = fresh_tenant()
        service = accounts_service(storage, tenant)
        mine, theirs = service.open_account("C1", "CNY"), service.open_account("C2", "CNY")
        expires = T0 + timedelta(days=1)
        for account in (mine, theirs):
            service.deposit(account.id, cny(100), key=f"d-{account.id}")
            for n in range(7):  # four holds expire together, then one a minute for three
                service.place_holds(
                    account.id, f"SO-{n}", cny(1), lines("1"), key=f"h-{account.id}-{n}",
                    expires_at=expires + timedelta(minutes=max(0, n - 3)),
                )  # fmt: skip
        posted = service.holds_of_order(mine.id, "SO-0")[0]
        service.post_hold(posted.id, key="p")
        later = expires + timedelta(minutes=3, seconds=1)
        with storage.unit_of_work(tenant) as uow:
            pending = [h for h in uow.holds.of_account(mine.id) if h.id != posted.id]
            due = [h.id for h in sorted(pending, key=lambda h: (h.expires_at, h.id))]
            assert [h.id for h in uow.holds.due(mine.id, expires - timedelta(seconds=1))] == []
            assert [h.id for h in uow.holds.due(mine.id, expires)] == due[:3]
            paged = uow.holds.due(mine.id, later, limit=2)
            while len(paged) <= len(due) and (
                batch := uow.holds.due(mine.id, later, after=paged[-1], limit=2)
            ):
                paged += batch
            assert [h.id for h in paged] == due
            assert {h.account_id for h in paged} == {mine.id}
            assert uow.holds.due(mine.id, later, after=paged[-1], limit=2) == []
        reader = accounts_service(storage, tenant, FixedClock(later))
        whole, account = reader.fund_summaries(mine.id), reader.get_account(mine.id)
        monkeypatch.setattr(account_steps, "DUE_BATCH", 2)  # 6 due holds: 3 batches and 1 empty
        assert reader.fund_summaries(mine.id) == whole
        assert reader.get_account(mine.id) == account
        assert whole[Fund.PREPAYMENT].held == 0
        assert accounts_service(storage, tenant).fund_summaries(mine.id)[Fund.PREPAYMENT].held == 6
