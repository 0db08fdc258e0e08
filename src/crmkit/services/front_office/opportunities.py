"""Sales processes (销售流程) and opportunities (商机): stages, wins, losses and the forecast."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain import InvalidStateTransition, NotFound, ValidationError
from crmkit.domain.currency import check_currency
from crmkit.domain.decimals import to_decimal
from crmkit.domain.front_office.customers import CUSTOMERS, Customer, CustomerStatus
from crmkit.domain.front_office.errors import InactiveCustomer
from crmkit.domain.front_office.opportunities import (
    OPPORTUNITIES,
    SALES_PROCESSES,
    ForecastLine,
    Opportunity,
    OpportunityStatus,
    SalesProcess,
    Stage,
    check_move,
    check_stages,
    forecast,
)
from crmkit.domain.front_office.people import USERS
from crmkit.domain.front_office.pools import POOLS, holding
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.record_query import Equals
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.front_office.customers import customer_by_code
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import TenantService

AMOUNT_STEP = Decimal("0.0001")


def process_by_code(uow: UnitOfWork, code: object) -> SalesProcess:
    """The active sales process with this code.

    Raises:
        NotFound: no such active process.
    """
    wanted = clean_text(code, "sales process code", max_length=32)
    process = uow.records(SALES_PROCESSES).get_by("code", wanted)
    if not process.active:
        raise NotFound("SalesProcess", "code", wanted, uow.tenant_id)
    return process


def open_opportunity(
    uow: UnitOfWork,
    *,
    customer: Customer,
    process: SalesProcess,
    name: str,
    amount: object,
    currency: str,
    expected_close: date,
    owner_id: str,
    now: datetime,
) -> Opportunity:
    """A new open opportunity in the process's first stage (not stored yet).

    Raises:
        InactiveCustomer: the customer is inactive.
        ValidationError: a bad name, amount (negative, float), currency or date.
        NotFound: no such owner.
    """
    if customer.status is not CustomerStatus.ACTIVE:
        raise InactiveCustomer(customer.code)
    title = clean_text(name, "opportunity name", max_length=200)
    value = to_decimal(amount, f"amount of opportunity {title!r}")
    if value < 0 or value >= Decimal(10) ** 14 or value != value.quantize(AMOUNT_STEP):
        raise ValidationError(
            f"amount of opportunity {title!r} must be from 0 below 10^14 with at most 4 "
            f"decimals; round it first."
        )
    if not isinstance(expected_close, date) or isinstance(expected_close, datetime):
        raise ValidationError(f"expected close of opportunity {title!r} must be a date.")
    owner = uow.records(USERS).get(owner_id)
    return Opportunity(
        id=new_id(),
        tenant_id=uow.tenant_id,
        customer_id=customer.id,
        process_id=process.id,
        name=title,
        amount=value.quantize(AMOUNT_STEP),
        currency=_currency(currency, title),
        expected_close=expected_close,
        owner_id=owner.id,
        stage=process.stages[0].code,
        status=OpportunityStatus.OPEN,
        won_by_type=None,
        won_by_id=None,
        lost_reason=None,
        closed_at=None,
        created_at=utc_millis(now),
        custom={},
    )


@checked_calls
class OpportunityService(TenantService):
    """Sales processes and opportunities of one tenant."""

    def define_process(
        self, *, code: str, name: str, stages: tuple[Stage, ...], skip_forward: bool = False
    ) -> SalesProcess:
        """Define a sales process of ordered stages.

        Raises:
            ValidationError: bad stages (none, repeated codes, percents outside 0..100).
            DuplicateRecord: the code is taken.
        """
        code = clean_text(code, "sales process code", max_length=32)
        title = clean_text(name, "sales process name", max_length=200)
        checked = check_stages(code, stages)
        return self._add_record(
            SALES_PROCESSES,
            lambda uow: SalesProcess(
                new_id(), uow.tenant_id, code, title, checked, skip_forward is True, True
            ),
        )

    def open(
        self,
        customer_code: str,
        *,
        process_code: str,
        name: str,
        amount: Decimal | int | str,
        currency: str,
        expected_close: date,
        owner_id: str,
    ) -> Opportunity:
        """Open an opportunity of a customer in the process's first stage.

        Raises:
            NotFound: no such customer, process or owner.
            InactiveCustomer: the customer is inactive.
            ValidationError: a bad name, amount, currency or date.
        """

        def make(uow: UnitOfWork) -> Opportunity:
            return open_opportunity(
                uow,
                customer=customer_by_code(uow, customer_code),
                process=process_by_code(uow, process_code),
                name=name,
                amount=amount,
                currency=currency,
                expected_close=expected_close,
                owner_id=owner_id,
                now=self._clock.now(),
            )

        return self._add_record(OPPORTUNITIES, make)

    def move(self, opportunity_id: str, stage: str) -> Opportunity:
        """Move an open opportunity to another stage, by its process's rules.

        Raises:
            NotFound: no such opportunity.
            InvalidStateTransition: it is closed, or the move skips stages not allowed to.
            ValidationError: unknown stage, or a field the stage requires has no value.
        """

        def change(uow: UnitOfWork) -> Opportunity:
            opportunity = uow.records(OPPORTUNITIES).get(opportunity_id)
            process = uow.records(SALES_PROCESSES).get(opportunity.process_id)
            target = check_move(opportunity, process, clean_text(stage, "stage", max_length=32))
            return attrs.evolve(opportunity, stage=target.code)

        return self._update_record(OPPORTUNITIES, change)

    def win(self, opportunity_id: str, *, won_by_type: str, won_by_id: str) -> Opportunity:
        """Close an open opportunity as won by a quote or an order (``"quote"``/``"order"``).

        Raises:
            NotFound: no such opportunity.
            InvalidStateTransition: it is already closed.
            ValidationError: won by something other than a quote or order.
        """
        if won_by_type not in ("quote", "order"):
            raise ValidationError("an opportunity is won by a 'quote' or an 'order'.")
        document = record_id(won_by_id, f"{won_by_type} id")
        return self._close(opportunity_id, OpportunityStatus.WON, won_by_type, document, None)

    def lose(self, opportunity_id: str, *, reason: str) -> Opportunity:
        """Close an open opportunity as lost, with a reason.

        Raises:
            NotFound: no such opportunity.
            InvalidStateTransition: it is already closed.
            ValidationError: no reason.
        """
        why = clean_text(reason, "reason the opportunity was lost", max_length=200)
        return self._close(opportunity_id, OpportunityStatus.LOST, None, None, why)

    def forecast(self, owner_id: str | None = None) -> list[ForecastLine]:
        """The weighted pipeline (amount x stage win percent) by owner, month and currency.

        Reads the open opportunities (of ``owner_id`` if given), at most 10,000.
        """
        with self._uow() as uow:
            filters = [Equals("status", OpportunityStatus.OPEN.value)]
            if owner_id is not None:
                filters.append(Equals("owner_id", record_id(owner_id, "owner id")))
            found: list[Opportunity] = []
            after = None
            while len(found) < 10_000:
                page = uow.records(OPPORTUNITIES).find(*filters, after=after, limit=500)
                found += page.items
                if page.next_cursor is None:
                    break
                after = page.next_cursor
            ids = sorted({o.process_id for o in found})
            processes = uow.records(SALES_PROCESSES).get_many(ids) if ids else {}
            return forecast(found, processes)

    def _close(
        self,
        opportunity_id: str,
        status: OpportunityStatus,
        won_by_type: str | None,
        won_by_id: str | None,
        reason: str | None,
    ) -> Opportunity:
        def change(uow: UnitOfWork) -> Opportunity:
            opportunity = uow.records(OPPORTUNITIES).get(opportunity_id)
            if opportunity.status is not OpportunityStatus.OPEN:
                raise InvalidStateTransition(
                    "Opportunity", opportunity.name, opportunity.status.value, status.value
                )
            now = utc_millis(self._clock.now())
            if status is OpportunityStatus.WON:
                _record_win(uow, opportunity.customer_id, now)
            return attrs.evolve(
                opportunity,
                status=status,
                won_by_type=won_by_type,
                won_by_id=won_by_id,
                lost_reason=reason,
                closed_at=now,
            )

        return self._update_record(OPPORTUNITIES, change)


def _record_win(uow: UnitOfWork, customer_id: str, now: datetime) -> None:
    """A won deal restarts the customer's no-win rule, if its owner still holds it."""
    customer = uow.records(CUSTOMERS).get(customer_id)
    pool = uow.records(POOLS).get(customer.pool_id) if customer.pool_id else None
    if holding(customer, pool, now).owner_id is not None:
        uow.records(CUSTOMERS).update(attrs.evolve(customer, last_won_at=now))


def _currency(currency: object, title: str) -> str:
    """A checked ISO 4217 currency code.

    Raises:
        ValidationError: not text, or not a known code.
    """
    if not isinstance(currency, str):
        raise ValidationError(f"currency of opportunity {title!r} must be an ISO 4217 code.")
    return check_currency(currency)
