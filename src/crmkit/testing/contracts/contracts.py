"""Contract suite: customer contracts (合同) by the clock, linked orders within the amount."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from crmkit.domain import DuplicateRecord, InvalidStateTransition, Money, new_id
from crmkit.domain.receivables.contracts import ContractStatus
from crmkit.domain.receivables.errors import ContractAmountExceeded
from crmkit.services import Storage
from crmkit.services.receivables.contracts import ContractService
from crmkit.testing.contracts.payments import PaymentWorld, payment_world
from crmkit.testing.order_support import CUSTOMER

START, END = date(2026, 4, 1), date(2026, 4, 30)


def contracts_of(pw: PaymentWorld) -> ContractService:
    """The contract service over the payment world's tenant."""
    storage, tenant = pw.world.storage, pw.world.tenant
    return ContractService(lambda: storage.unit_of_work(tenant), pw.world.clock)


class ContractContract:
    """Every storage keeps contracts, their status and their orders identically."""

    def test_status_follows_the_lifecycle_and_the_clock(self, storage: Storage) -> None:
        """draft -> active -> expired the day after its last valid day; terminated stays."""
        pw = payment_world(storage)
        service = contracts_of(pw)
        made = service.create_contract(
            CUSTOMER.account_id, "HT-1", Money("100.00", "CNY"),
            valid_from=START, valid_until=END, key="c1",
        )  # fmt: skip
        assert service.status(made.id) is ContractStatus.DRAFT
        pw.unchanged(
            lambda: service.create_contract(
                CUSTOMER.account_id,
                "HT-1",
                Money("1.00", "CNY"),
                valid_from=START,
                valid_until=END,
                key="c2",
            ),
            DuplicateRecord,
        )
        service.activate(made.id, key="a")
        pw.world.clock.set(pw.world.clock.now().replace(month=4, day=30))
        assert service.status(made.id) is ContractStatus.ACTIVE
        pw.world.clock.advance(timedelta(days=1))
        assert service.status(made.id) is ContractStatus.EXPIRED
        pw.unchanged(lambda: service.terminate(made.id, "late", key="t"), InvalidStateTransition)
        other = service.create_contract(
            CUSTOMER.account_id, "HT-2", Money("100.00", "CNY"),
            valid_from=START, valid_until=END, key="c3",
        )  # fmt: skip
        ended = service.terminate(other.id, "customer withdrew", key="t2")
        assert (ended.status(START), ended.termination_reason) == (
            ContractStatus.TERMINATED,
            "customer withdrew",
        )

    def test_linked_orders_stay_within_the_amount_and_show_progress(self, storage: Storage) -> None:
        """Orders fill the amount; one more is refused; progress sums the orders' figures."""
        pw = payment_world(storage)
        service = contracts_of(pw)
        made = service.create_contract(
            CUSTOMER.account_id, "HT-9", Money("50.00", "CNY"),
            valid_from=START, valid_until=END, key="c",
        )  # fmt: skip
        first, second, third = pw.delivered(2), pw.world.confirmed(1).order, pw.delivered(2)
        pw.unchanged(
            lambda: service.link_order(made.id, first.id, key="l0"), InvalidStateTransition
        )
        service.activate(made.id, key="a")
        service.link_order(made.id, first.id, key="l1")
        linked = service.link_order(made.id, second.id, key="l2")
        assert linked.committed == D("33.90")
        pw.unchanged(
            lambda: service.link_order(made.id, third.id, key="l3"), ContractAmountExceeded
        )
        payment = pw.pay("10.00")
        pw.payments.allocate(payment.id, {first.id: D("10.00")}, key=new_id())
        progress = service.progress(made.id)
        assert (progress.ordered, progress.delivered) == (D("33.90"), D("22.60"))
        assert (progress.received, progress.outstanding) == (D("10.00"), D("23.90"))
        assert progress.invoiced == 0
