"""合同 ContractService: contracts, orders linked within their amount, progress figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain import InvalidStateTransition, Money, ValidationError
from crmkit.domain.currency import check_currency
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.order_lifecycle import share
from crmkit.domain.receivables.contracts import (
    CONTRACTS,
    Contract,
    ContractProgress,
    ContractStatus,
)
from crmkit.domain.receivables.errors import ContractAmountExceeded
from crmkit.domain.receivables.invoices import ORDER_INVOICING
from crmkit.domain.sales_order import SalesOrderStatus
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import record_loader, run_once
from crmkit.services.ports import UnitOfWork
from crmkit.services.receivables.payment_steps import figures, label, order_of
from crmkit.services.tenant_service import TenantService

ZERO = Decimal(0)
Step = Callable[[UnitOfWork, Contract], Contract]
MAX_ORDERS = 1000


@checked_calls
class ContractService(TenantService):
    """Contracts (合同) of customers: lifecycle, linked orders, progress."""

    def create_contract(
        self,
        customer_id: str,
        number: str,
        amount: Money,
        *,
        valid_from: date,
        valid_until: date,
        key: str,
    ) -> Contract:
        """A draft contract numbered ``number`` (unique in the tenant).

        Raises:
            DuplicateRecord: the number is taken.
            ValidationError: the amount is not positive and rounded, the validity ends
                before it starts, or a text breaks its rule.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_number = clean_text(number, "contract number", max_length=64)
        customer = clean_text(customer_id, "customer id", max_length=64)
        check_currency(amount.currency)
        if amount.amount <= 0 or not amount.is_rounded or valid_until < valid_from:
            raise ValidationError(
                f"contract {the_number} needs a positive amount in whole minor units and a "
                f"validity that ends on or after it starts.",
                contract=the_number,
            )
        content = {"c": customer, "n": the_number, "m": (amount.amount, amount.currency),
                   "f": valid_from.isoformat(), "u": valid_until.isoformat()}  # fmt: skip

        def work(uow: UnitOfWork) -> tuple[Contract, str, datetime]:
            now = utc_millis(self._clock.now())
            contract = Contract(
                id=new_id(), tenant_id=uow.tenant_id, number=the_number,
                customer_id=customer, currency=amount.currency, amount=amount.amount,
                committed=ZERO, valid_from=valid_from, valid_until=valid_until,
                stored_status=ContractStatus.DRAFT, termination_reason=None,
                created_at=now, updated_at=now, orders=(),
            )  # fmt: skip
            stored = uow.records(CONTRACTS).add(contract)
            return stored, stored.id, now

        return run_once(
            self._uow, key, "contract.create", content, work, replayed=record_loader(CONTRACTS)
        )

    def activate(self, contract_id: str, *, key: str) -> Contract:
        """Activate a draft contract.

        Raises:
            NotFound: no such contract.
            InvalidStateTransition: it is not a draft.
            DuplicateRequest: ``key`` was used for another request.
        """

        def step(uow: UnitOfWork, contract: Contract) -> Contract:
            self._require(contract, ContractStatus.DRAFT, "activate")
            return attrs.evolve(contract, stored_status=ContractStatus.ACTIVE)

        return self._run(key, "contract.activate", {"c": contract_id}, contract_id, step)

    def terminate(self, contract_id: str, reason: str, *, key: str) -> Contract:
        """Terminate a draft or active contract with a reason.

        Raises:
            NotFound, DuplicateRequest: as :meth:`activate`.
            InvalidStateTransition: it is expired or terminated.
            ValidationError: the reason is empty or too long.
        """
        why = clean_text(reason, "termination reason", max_length=500)

        def step(uow: UnitOfWork, contract: Contract) -> Contract:
            status = contract.status(self._today())
            if status not in (ContractStatus.DRAFT, ContractStatus.ACTIVE):
                raise InvalidStateTransition("Contract", contract.number, status.value, "terminate")
            return attrs.evolve(
                contract, stored_status=ContractStatus.TERMINATED, termination_reason=why
            )

        return self._run(key, "contract.terminate", {"c": contract_id, "w": why}, contract_id, step)

    def link_order(self, contract_id: str, order_id: str, *, key: str) -> Contract:
        """Put the order under the active contract, within the contract's amount.

        Raises:
            NotFound: no such contract or order.
            InvalidStateTransition: the contract is not active today, or the order is
                cancelled.
            ContractAmountExceeded: the order's gross does not fit in what is left.
            ValidationError: the order is another customer's, in another currency, or
                already linked.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_order = record_id(order_id, "order id")

        def step(uow: UnitOfWork, contract: Contract) -> Contract:
            self._require(contract, ContractStatus.ACTIVE, "link an order to")
            order = order_of(uow, the_order)
            if order.status is SalesOrderStatus.CANCELLED:
                raise InvalidStateTransition("Order", label(order), "cancelled", "link")
            if (
                order.account_id != contract.customer_id
                or order.currency != contract.currency
                or order.id in contract.orders
                or len(contract.orders) >= MAX_ORDERS
            ):
                raise ValidationError(
                    f"order {label(order)} cannot go under contract {contract.number}: it must "
                    f"be customer {contract.customer_id!r}'s, in {contract.currency}, and not "
                    f"linked yet.",
                    contract=contract.number,
                )
            gross = order.totals().gross
            if gross > contract.room:
                raise ContractAmountExceeded(contract.number, gross, contract.room)
            return attrs.evolve(
                contract, committed=contract.committed + gross, orders=(*contract.orders, order.id)
            )

        payload = {"c": contract_id, "o": the_order}
        return self._run(key, "contract.link", payload, contract_id, step)

    def get_contract(self, contract_id: str) -> Contract:
        """The contract ``contract_id`` (its status by :meth:`Contract.status`).

        Raises:
            NotFound: no such contract.
        """
        return self._record(CONTRACTS, contract_id)

    def status(self, contract_id: str) -> ContractStatus:
        """The contract's status today by the clock.

        Raises:
            NotFound: no such contract.
        """
        return self.get_contract(contract_id).status(self._today())

    def progress(self, contract_id: str) -> ContractProgress:
        """Ordered, delivered (less returns), invoiced (requested, not rejected), received
        (less refunds) and outstanding (open) sums over the linked orders.

        Raises:
            NotFound: no such contract.
        """
        ordered = delivered = invoiced = received = outstanding = ZERO
        with self._uow() as uow:
            contract = uow.records(CONTRACTS).get(contract_id)
            invoicing = uow.records(ORDER_INVOICING).get_many(contract.orders)
            for order_id in contract.orders:
                order = order_of(uow, order_id)
                figure = figures(uow, order)
                ordered += figure.gross
                delivered += share(order, {line.line_no: line.delivered for line in order.lines})
                delivered -= figure.returned
                found = invoicing.get(order_id)
                invoiced += ZERO if found is None else found.requested
                received += figure.received - figure.refunded
                outstanding += figure.open
        return ContractProgress(ordered, delivered, invoiced, received, outstanding)

    def _require(self, contract: Contract, wanted: ContractStatus, action: str) -> None:
        status = contract.status(self._today())
        if status is not wanted:
            raise InvalidStateTransition("Contract", contract.number, status.value, action)

    def _today(self) -> date:
        return self._clock.now().date()

    def _run(
        self, key: str, operation: str, payload: Mapping[str, object], contract_id: str, step: Step
    ) -> Contract:

        def work(uow: UnitOfWork) -> tuple[Contract, str, datetime]:
            contract = uow.records(CONTRACTS).get(contract_id)
            now = utc_millis(self._clock.now())
            changed = attrs.evolve(step(uow, contract), updated_at=now)
            stored = uow.records(CONTRACTS).update(changed)
            return stored, stored.id, now

        return run_once(self._uow, key, operation, payload, work, replayed=record_loader(CONTRACTS))
