"""回款计划 PaymentPlanService: plans for orders, the due/overdue query, reminders, ageing."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs

from crmkit.domain import InvalidStateTransition, ValidationError
from crmkit.domain.ids import record_id
from crmkit.domain.outbox import OutboxEvent, payload
from crmkit.domain.receivables.plans import (
    AGEING_BUCKETS,
    PAYMENT_PLANS,
    REMINDER_EVENT,
    ZERO,
    Instalment,
    InstalmentStatus,
    PaymentPlan,
    bucket,
    check_amounts,
    check_schedule,
    reminders_due,
    split_percentages,
)
from crmkit.domain.sales_order import SalesOrderStatus
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import record_loader, run_once
from crmkit.services.order_steps import PendingEvent, write_events
from crmkit.services.ports import UnitOfWork
from crmkit.services.receivables.payment_steps import figures, label, order_of
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import TenantService

PAGE = 200
MAX_WITHIN_DAYS = 3660


@attrs.frozen
class DueInstalment:
    """An instalment that is due soon or overdue, for reminders."""

    order_id: str
    order_number: str
    customer_id: str
    currency: str
    instalment: Instalment
    status: InstalmentStatus


def new_plan(  # noqa: PLR0917 - the parts of one plan, as create_plan checked them
    uow: UnitOfWork,
    order_id: str,
    dues: Sequence[date],
    values: Sequence[Decimal],
    as_percents: bool,
    offsets: tuple[int, ...],
    now: datetime,
) -> PaymentPlan:
    """The payment plan of order ``order_id`` (not stored yet): one instalment per due
    date of ``values`` (amounts, or percentages with ``as_percents``).

    Raises:
        NotFound: no such order.
        InvalidStateTransition: the order is a draft or cancelled, or nothing is owed.
        ValidationError: the amounts or percents break their rules.
    """
    order = order_of(uow, order_id)
    figure = figures(uow, order)
    total = figure.gross - figure.returned - figure.posted_from_funds
    if order.status in (SalesOrderStatus.DRAFT, SalesOrderStatus.CANCELLED) or total <= 0:
        raise InvalidStateTransition(
            "Order", label(order), f"{order.status.value} with {total} owed", "plan payments for"
        )
    split = (
        split_percentages(total, values, order.currency)
        if as_percents
        else check_amounts(total, values, order.currency)
    )
    account = uow.customer_accounts.find(order.account_id, order.currency)
    return PaymentPlan(
        order_id=order.id,
        tenant_id=uow.tenant_id,
        order_number=label(order),
        account_id="" if account is None else account.id,
        customer_id=order.account_id,
        currency=order.currency,
        total=total,
        created_at=now,
        offsets=offsets,
        instalments=tuple(
            Instalment(n + 1, due, amount, ZERO, None, ())
            for n, (due, amount) in enumerate(zip(dues, split, strict=True))
        ),
    )


@checked_calls
class PaymentPlanService(TenantService):
    """Payment plans (回款计划) of sales orders: instalments, statuses, reminders, ageing."""

    def create_plan(
        self,
        order_id: str,
        due_dates: Sequence[date],
        *,
        amounts: Sequence[Decimal | int | str] | None = None,
        percents: Sequence[Decimal | int | str] | None = None,
        reminder_offsets: Sequence[int] = (-3, 0, 7),
        key: str,
    ) -> PaymentPlan:
        """A plan for the order's receivable total (gross - returns - posted from funds):
        one instalment per due date, as ``amounts`` or ``percents`` (exactly one of them;
        percentages by the remainder rule of :mod:`crmkit.domain.receivables.plans`).

        Raises:
            NotFound: no such order.
            InvalidStateTransition: the order is a draft or cancelled, or nothing is owed.
            DuplicateRecord: the order has a plan already.
            ValidationError: the schedule, amounts, percents or offsets break their rules.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_order = record_id(order_id, "order id")
        dues = list(due_dates)
        parts = amounts if percents is None else percents
        if (amounts is None) == (percents is None) or parts is None or len(parts) != len(dues):
            raise ValidationError(
                "give either amounts or percents, one per due date, for a payment plan."
            )
        offsets = tuple(sorted(reminder_offsets))
        check_schedule(dues, offsets)
        values = [Decimal(p) for p in parts]
        content = {"o": the_order, "d": [d.isoformat() for d in dues], "v": values,
                   "pct": percents is not None, "r": offsets}  # fmt: skip

        def work(uow: UnitOfWork) -> tuple[PaymentPlan, str, datetime]:
            now = utc_millis(self._clock.now())
            plan = new_plan(uow, the_order, dues, values, percents is not None, offsets, now)
            return uow.records(PAYMENT_PLANS).add(plan), plan.order_id, now

        return run_once(
            self._uow, key, "plan.create", content, work, replayed=record_loader(PAYMENT_PLANS)
        )

    def get_plan(self, order_id: str) -> PaymentPlan:
        """The payment plan of the order.

        Raises:
            NotFound: the order has no plan.
        """
        return self._record(PAYMENT_PLANS, order_id)

    def due_instalments(
        self, within_days: int, *, as_of: date | None = None
    ) -> list[DueInstalment]:
        """Instalments not paid in full that are overdue on ``as_of`` (today by the clock)
        or due within ``within_days`` after it (0: due today), by due date.

        Raises:
            ValidationError: ``within_days`` is negative or above 3660.
        """
        if not 0 <= within_days <= MAX_WITHIN_DAYS:
            raise ValidationError(f"within_days is 0 to {MAX_WITHIN_DAYS}, got {within_days}.")
        day = self._today(as_of)
        horizon = day + timedelta(days=within_days)
        found = [
            DueInstalment(p.order_id, p.order_number, p.customer_id, p.currency, i, i.status(day))
            for p in self._plans()
            for i in p.instalments
            if i.left > 0 and i.due_on <= horizon
        ]
        return sorted(found, key=lambda d: (d.instalment.due_on, d.order_number, d.instalment.no))

    def raise_reminders(self, as_of: date | None = None) -> list[OutboxEvent]:
        """Write a ``payment_plan.reminder`` outbox event for every (instalment, offset)
        whose day (due date + offset) is ``as_of`` or earlier and that was not raised
        before, for instalments not paid in full. Running it again raises nothing more.

        Raises:
            ValidationError: ``as_of`` is not a date.
        """
        day = self._today(as_of)
        raised: list[OutboxEvent] = []
        for plan in self._plans():
            if reminders_due(plan, day):
                raised.extend(retrying(functools.partial(self._remind, plan.order_id, day)))
        return raised

    def ageing(self, as_of: date | None = None) -> dict[str, dict[str, Decimal]]:
        """What each customer still owes on plan instalments, by days past due on ``as_of``:
        ``current`` (not yet due), ``1-30``, ``31-60``, ``61-90``, ``over 90``."""
        day = self._today(as_of)
        owed: dict[str, dict[str, Decimal]] = {}
        for plan in self._plans():
            for instalment in plan.instalments:
                if instalment.left <= 0:
                    continue
                row = owed.setdefault(plan.customer_id, dict.fromkeys(AGEING_BUCKETS, ZERO))
                row[bucket(instalment.days_overdue(day))] += instalment.left
        return dict(sorted(owed.items()))

    def _remind(self, order_id: str, day: date) -> list[OutboxEvent]:
        with self._uow() as uow:
            plans = uow.records(PAYMENT_PLANS)
            plan = plans.get(order_id)
            due = reminders_due(plan, day)
            if not due:
                return []
            events = [
                PendingEvent(
                    REMINDER_EVENT,
                    plan.order_id,
                    payload(
                        order_id=plan.order_id,
                        number=plan.order_number,
                        customer_id=plan.customer_id,
                        instalment=i.no,
                        due_on=i.due_on.isoformat(),
                        offset_days=offset,
                        left=i.left,
                        currency=plan.currency,
                        status=i.status(day).value,
                    ),
                )
                for i, offset in due
            ]
            reminded = {i.no: (*i.reminded, offset) for i, offset in due}
            for i, offset in due:  # several offsets of one instalment at once
                reminded[i.no] = tuple(sorted({*reminded[i.no], offset}))
            plans.update(
                attrs.evolve(
                    plan,
                    instalments=tuple(
                        attrs.evolve(i, reminded=reminded.get(i.no, i.reminded))
                        for i in plan.instalments
                    ),
                )
            )
            stored = write_events(uow, events, utc_millis(self._clock.now()))
            uow.commit()
            return list(stored)

    def _plans(self) -> list[PaymentPlan]:
        with self._uow() as uow:
            return list(uow.records(PAYMENT_PLANS).every(page=PAGE))

    def _today(self, as_of: date | None) -> date:
        if as_of is None:
            return self._clock.now().date()
        if (
            isinstance(as_of, datetime)
            or not isinstance(as_of, date)
            or abs((as_of - date(2000, 1, 1)).days) > 10**6
        ):
            raise ValidationError("as_of must be a date (a day, not a moment).")
        return as_of
