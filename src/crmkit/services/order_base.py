"""What every command of the order service shares: its inputs and outcome, its rules, and
the idempotent, retried unit of work each command runs in (see :mod:`crmkit.services.orders`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import utc_millis
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.deduction import DeductionPolicy
from crmkit.domain.ids import ProductId
from crmkit.domain.inventory import AllocationStrategy
from crmkit.domain.outbox import NumberPatterns, OutboxEvent
from crmkit.domain.pricing import PricingPolicy
from crmkit.domain.record_data import from_data
from crmkit.domain.requests import request_key
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import run_once
from crmkit.services.order_confirm import ConfirmRules
from crmkit.services.order_data import result_text
from crmkit.services.order_reads import OrderReads
from crmkit.services.order_steps import PendingEvent, claim_outbox, write_events
from crmkit.services.ports import Clock, UnitOfWork

ORDER_ATTEMPTS = 100
NOTE_MAX_LENGTH = 200
"""As on delivery notes and return orders."""
ORDER_MAX_DELAY_S = 0.02


@attrs.frozen
class OrderLineInput:
    """A line of a directly created order: ``quantity`` of ``product_id``, with a discount."""

    product_id: ProductId
    quantity: Decimal | int | str
    discount_percent: Decimal | int | str = 0


@attrs.frozen
class OrderOutcome:
    """A command's result: the order as the command left it, and the events it wrote."""

    order: SalesOrder
    events: tuple[OutboxEvent, ...]


Work = Callable[[UnitOfWork, datetime, list[PendingEvent]], SalesOrder]


@checked_calls
class OrderBase(OrderReads):
    """The state and plumbing of :class:`~crmkit.services.orders.OrderService`."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        pricing_policy: PricingPolicy | None = None,
        approval: ApprovalRule | None = None,
        numbers: NumberPatterns | None = None,
        strategy: AllocationStrategy = AllocationStrategy.PRIORITY,
        default_deduction: DeductionPolicy | None = None,
    ) -> None:
        super().__init__(unit_of_work)
        self._clock = clock
        self._pricing = pricing_policy or PricingPolicy()
        self._numbers = numbers or NumberPatterns()
        self._rules = ConfirmRules(
            approval or ApprovalRule(), default_deduction or DeductionPolicy(), strategy
        )

    @property
    def confirm_rules(self) -> ConfirmRules:
        """The rules a confirm applies (approval flows approve orders by them too)."""
        return self._rules

    @property
    def approval(self) -> ApprovalRule:
        """The approval hook: asked once per confirm (see :mod:`crmkit.domain.approval`)."""
        return self._rules.approval

    def _command(
        self, key: str, operation: str, content: Mapping[str, object], work: Work
    ) -> OrderOutcome:

        def run(uow: UnitOfWork) -> tuple[OrderOutcome, str, datetime]:
            now = utc_millis(self._clock.now())
            pending: list[PendingEvent] = []
            order = work(uow, now, pending)
            stored = write_events(uow, pending, now)
            text = result_text(order, [e.position for e in stored])
            return OrderOutcome(order, stored), text, now

        return run_once(
            self._uow,
            request_key(key),
            operation,
            content,
            run,
            replayed=_replayed,
            before=claim_outbox,
            attempts=ORDER_ATTEMPTS,
            max_delay=ORDER_MAX_DELAY_S,
        )


def _replayed(uow: UnitOfWork, done: str) -> OrderOutcome:
    """The first run's outcome: its events, and the order as that run returned it (a
    result remembered before orders were kept with it gives the order as it is now)."""
    result = json.loads(done)
    positions = result["positions"]
    events = uow.outbox.after(positions[0] - 1, len(positions)) if positions else []
    if "as_returned" in result:
        order = from_data(result["as_returned"], SalesOrder)
    else:
        order = uow.sales_orders.get(SalesOrderId(result["order"]))
    return OrderOutcome(order, tuple(events))
