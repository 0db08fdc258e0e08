"""The customer account ledger contract: a stateful test of random movements and concurrent
writers against the ledger's invariants.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from crmkit.domain import (
    CrmkitError,
)
from crmkit.domain.account_errors import (
    InsufficientFunds,
)
from crmkit.services import Storage
from crmkit.testing.contracts.account_repositories import lines
from crmkit.testing.ledger import account_state, accounts_service, check_ledger, cny
from crmkit.testing.running import run_threads
from crmkit.testing.tenants import fresh_tenant


class CustomerAccountLedgerContract:
    """The ledger keeps its invariants under random movements and concurrent writers."""

    stateful_examples: ClassVar[int] = 20
    stateful_steps: ClassVar[int] = 25
    writers: ClassVar[int] = 4

    def test_random_movements_keep_every_invariant(self, storage: Storage) -> None:
        """A hypothesis state machine of movements, rejections and repeated keys."""
        from crmkit.testing.ledger_machine import run_ledger_machine  # noqa: PLC0415

        run_ledger_machine(storage, max_examples=self.stateful_examples, steps=self.stateful_steps)

    def test_concurrent_holds_never_overdraw(self, storage: Storage) -> None:
        """Threads holding against one account: no overdraft, no lost entry, ledger balanced."""
        tenant = fresh_tenant()
        service = accounts_service(storage, tenant)
        account = service.open_account("C1", "CNY")
        service.deposit(account.id, cny(100), key="d")
        barrier = threading.Barrier(self.writers)
        placed: list[str] = []
        refused: list[CrmkitError] = []

        def writer(n: int) -> None:
            mine = accounts_service(storage, tenant)
            barrier.wait(timeout=30)
            for i in range(4):
                try:
                    mine.place_holds(account.id, f"SO-{n}-{i}", cny(9), lines("9"), key=f"{n}-{i}")
                    placed.append(f"{n}-{i}")
                except InsufficientFunds as error:
                    refused.append(error)

        run_threads(writer, self.writers, timeout=120)
        state = account_state(storage, tenant, account.id)
        check_ledger(state)
        assert len(placed) + len(refused) == self.writers * 4
        assert len(placed) == min(11, self.writers * 4)
        assert state.account.prepayment_held == 9 * len(placed)
        assert len(state.entries) == 1 + len(placed)
