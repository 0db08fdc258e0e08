"""Contract: payment plans sum exactly, follow their allocations, remind once, on every backend."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from crmkit.domain import DuplicateRecord, ValidationError, new_id
from crmkit.domain.receivables.plans import REMINDER_EVENT, InstalmentStatus, PaymentPlan
from crmkit.services import Storage
from crmkit.services.receivables.plans import PaymentPlanService
from crmkit.testing.contracts.payments import PaymentWorld, payment_world
from crmkit.testing.order_support import CUSTOMER

LEAP_DAY = date(2028, 2, 29)


def plans_of(pw: PaymentWorld) -> PaymentPlanService:
    """The plan service over the payment world's tenant."""
    storage, tenant = pw.world.storage, pw.world.tenant
    return PaymentPlanService(lambda: storage.unit_of_work(tenant), pw.world.clock)


def planned(
    pw: PaymentWorld, dues: list[date], amounts: list[str], offsets: tuple[int, ...] = (-3, 0, 7)
) -> PaymentPlan:
    """A delivered order of 22.60 with a plan of ``amounts`` due on ``dues``."""
    order = pw.delivered()
    return plans_of(pw).create_plan(
        order.id, dues, amounts=[D(a) for a in amounts], reminder_offsets=offsets, key=new_id()
    )


class PaymentPlanContract:
    """Every storage keeps payment plans, their statuses and reminders identically."""

    def test_percentages_put_the_remainder_on_the_last_instalment(self, storage: Storage) -> None:
        """33.33/33.33/33.34 % of 22.60: 7.53, 7.53 and the rest, 7.54."""
        pw = payment_world(storage)
        order = pw.delivered()
        dues = [date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]
        plan = plans_of(pw).create_plan(
            order.id, dues, percents=[D("33.33"), D("33.33"), D("33.34")], key="plan"
        )
        assert [i.amount for i in plan.instalments] == [D("7.53"), D("7.53"), D("7.54")]
        assert plan.total == order.totals().gross
        assert plans_of(pw).get_plan(order.id) == plan

    def test_amounts_off_the_total_or_a_second_plan_are_refused(self, storage: Storage) -> None:
        """Amounts not summing to the total, or a second plan, change nothing."""
        pw = payment_world(storage)
        plan = planned(pw, [date(2026, 5, 1)], ["22.60"])
        order_id = plan.order_id
        other = pw.delivered().id
        pw.unchanged(
            lambda: plans_of(pw).create_plan(
                other, [date(2026, 5, 1)], amounts=[D("22.59")], key="x"
            ),
            ValidationError,
        )
        pw.unchanged(
            lambda: plans_of(pw).create_plan(
                order_id, [date(2026, 5, 1)], amounts=[D("22.60")], key="y"
            ),
            DuplicateRecord,
        )

    def test_due_today_tomorrow_and_after_a_leap_day(self, storage: Storage) -> None:
        """Due on 29 Feb: due tomorrow on the 28th, open on the day, overdue on 1 March."""
        pw = payment_world(storage)
        planned(pw, [LEAP_DAY, date(2028, 3, 31)], ["10.00", "12.60"])
        service = plans_of(pw)
        assert service.due_instalments(0, as_of=date(2028, 2, 28)) == []
        [tomorrow] = service.due_instalments(1, as_of=date(2028, 2, 28))
        assert (tomorrow.instalment.no, tomorrow.status) == (1, InstalmentStatus.OPEN)
        [today] = service.due_instalments(0, as_of=LEAP_DAY)
        assert today.status is InstalmentStatus.OPEN
        [late] = service.due_instalments(0, as_of=date(2028, 3, 1))
        assert late.status is InstalmentStatus.OVERDUE
        assert len(service.due_instalments(30, as_of=date(2028, 3, 1))) == 2
        moment = datetime(2028, 3, 1, tzinfo=UTC)  # a moment where a day is due
        with pytest.raises(ValidationError):
            service.due_instalments(0, as_of=moment)
        with pytest.raises(ValidationError):
            service.raise_reminders(as_of=moment)
        with pytest.raises(ValidationError):
            service.ageing(as_of=moment)

    def test_paid_in_two_parts_and_late_then_reversed(self, storage: Storage) -> None:
        """Two parts pay instalment 1 (late); the next goes to the oldest open one."""
        pw = payment_world(storage)
        plan = planned(pw, [date(2026, 4, 1), date(2026, 4, 30)], ["10.00", "12.60"])
        payment = pw.pay("20.00")  # received 2026-04-02
        pw.payments.allocate_to_instalment(payment.id, plan.order_id, 1, D("4.00"), key="p1")
        first = plans_of(pw).get_plan(plan.order_id).instalment(1)
        assert first.status(date(2026, 4, 1)) is InstalmentStatus.PARTLY_PAID
        assert first.status(date(2026, 4, 2)) is InstalmentStatus.OVERDUE
        pw.payments.allocate_to_instalment(payment.id, plan.order_id, 1, D("6.00"), key="p2")
        pw.payments.allocate(payment.id, {plan.order_id: D("5.00")}, key="p3")
        now = plans_of(pw).get_plan(plan.order_id)
        one, two = now.instalments
        assert one.status(date(2026, 5, 1)) is InstalmentStatus.PAID
        assert one.paid_late()
        assert (two.paid, two.status(date(2026, 4, 30))) == (
            D("5.00"),
            InstalmentStatus.PARTLY_PAID,
        )
        pw.unchanged(
            lambda: pw.payments.allocate_to_instalment(
                payment.id, plan.order_id, 1, D("0.01"), key="p4"
            ),
            ValidationError,
        )
        pw.payments.reverse(payment.id, "cheque bounced", key="undo")
        after = plans_of(pw).get_plan(plan.order_id)
        assert [(i.paid, i.paid_on) for i in after.instalments] == [(D(0), None), (D(0), None)]

    def test_reminders_are_raised_once_per_instalment_and_offset(self, storage: Storage) -> None:
        """Offsets -3, 0, +7 around a leap day: each raised once, however often it runs."""
        pw = payment_world(storage)
        plan = planned(pw, [LEAP_DAY], ["22.60"])
        service = plans_of(pw)
        assert service.raise_reminders(date(2028, 2, 25)) == []
        [early] = service.raise_reminders(date(2028, 2, 26))
        assert early.name == REMINDER_EVENT
        assert json.loads(early.payload)["offset_days"] == -3
        assert service.raise_reminders(date(2028, 2, 26)) == []
        later = service.raise_reminders(date(2028, 3, 7))
        assert sorted(json.loads(e.payload)["offset_days"] for e in later) == [0, 7]
        assert service.raise_reminders(date(2028, 3, 8)) == []
        events = [e for e in pw.world.outbox.read("erp", limit=500) if e.name == REMINDER_EVENT]
        assert len(events) == 3
        assert {e.aggregate_id for e in events} == {plan.order_id}

    def test_paid_instalments_get_no_reminder_and_ageing_buckets(self, storage: Storage) -> None:
        """Ageing puts what is owed by days past due; a paid instalment is neither."""
        pw = payment_world(storage)
        plan = planned(
            pw,
            [date(2026, 1, 1), date(2026, 3, 1), date(2026, 3, 31), date(2026, 5, 1)],
            ["1.00", "2.00", "3.00", "16.60"],
        )
        payment = pw.pay("1.00")
        pw.payments.allocate(payment.id, {plan.order_id: D("1.00")}, key="pay")
        as_of = date(2026, 4, 15)
        ageing = plans_of(pw).ageing(as_of)
        assert ageing == {
            CUSTOMER.account_id: {
                "current": D("16.60"),
                "1-30": D("3.00"),
                "31-60": D("2.00"),
                "61-90": D(0),
                "over 90": D(0),
            }
        }
        events = plans_of(pw).raise_reminders(as_of)
        assert {json.loads(e.payload)["instalment"] for e in events} == {2, 3}
