"""Sales processes (销售流程) and opportunities (商机), with the weighted pipeline forecast."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain.custom_fields import CustomValue
from crmkit.domain.errors import InvalidStateTransition, ValidationError
from crmkit.domain.ids import TenantId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.lookup import the_one
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text

HUNDRED = Decimal(100)


@attrs.frozen
class Stage:
    """A stage of a sales process: its win probability and the fields required to enter it."""

    code: str
    name: str
    win_percent: Decimal
    required_fields: tuple[str, ...] = ()


@attrs.frozen
class SalesProcess:
    """A tenant's ordered stages; ``skip_forward`` allows moving past the next stage."""

    id: str
    tenant_id: TenantId
    code: str
    name: str
    stages: tuple[Stage, ...]
    skip_forward: bool
    active: bool
    version: int = 1

    def stage(self, code: str) -> Stage:
        """The stage ``code``.

        Raises:
            ValidationError: the process has no such stage.
        """
        return the_one(
            self.stages,
            lambda stage: stage.code == code,
            lambda: ValidationError(
                f"sales process {self.code!r} has no stage {code!r}; use one of "
                f"{[s.code for s in self.stages]}."
            ),
        )

    def position(self, code: str) -> int:
        """The index of stage ``code``."""
        return self.stages.index(self.stage(code))


def check_stages(code: str, stages: object) -> tuple[Stage, ...]:
    """Stages with distinct codes and win percents from 0 to 100.

    Raises:
        ValidationError: no stages, repeated codes or a bad percent.
    """
    if not isinstance(stages, tuple) or not stages or len(stages) > 30:
        raise ValidationError(f"sales process {code!r} needs a tuple of 1 to 30 stages.")
    for stage in stages:
        if not isinstance(stage, Stage):
            raise ValidationError(f"stages of sales process {code!r} must be Stage objects.")
        percent = stage.win_percent
        if not isinstance(percent, Decimal) or not percent.is_finite() or not 0 <= percent <= 100:
            raise ValidationError(
                f"win_percent of stage {stage.code!r} must be a Decimal from 0 to 100."
            )
    if len({s.code for s in stages}) != len(stages):
        raise ValidationError(f"stage codes of sales process {code!r} must be distinct.")
    return stages


SALES_PROCESSES: RecordType[SalesProcess] = RecordType(
    SalesProcess,
    entity="SalesProcess",
    name="sales_process",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("name", 200, indexed=True),
        scalar("skip_forward", FieldKind.BOOLEAN),
        scalar("active", FieldKind.BOOLEAN, indexed=True),
    ),
    unique=(("code",),),
    nested=("stages",),
)


class OpportunityStatus(enum.Enum):
    """Open until won or lost."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


@attrs.frozen
class Opportunity:
    """One deal with a customer, moving through the stages of a sales process."""

    id: str
    tenant_id: TenantId
    customer_id: str
    process_id: str
    name: str
    amount: Decimal
    currency: str
    expected_close: date
    owner_id: str
    stage: str
    status: OpportunityStatus
    won_by_type: str | None
    won_by_id: str | None
    lost_reason: str | None
    closed_at: datetime | None
    created_at: datetime
    custom: dict[str, CustomValue]
    version: int = 1


OPPORTUNITIES: RecordType[Opportunity] = RecordType(
    Opportunity,
    entity="Opportunity",
    name="opportunity",
    plural="opportunities",
    fields=(
        text("id", 32),
        text("customer_id", 32, indexed=True),
        text("process_id", 32, indexed=True),
        text("name", 200, indexed=True),
        decimal("amount", 18, 4, indexed=True),
        text("currency", 3),
        scalar("expected_close", FieldKind.DATE, indexed=True),
        text("owner_id", 32, indexed=True),
        text("stage", 32, indexed=True),
        text("status", 16, indexed=True),
        text("won_by_type", 16, nullable=True),
        text("won_by_id", 64, nullable=True),
        text("lost_reason", 200, nullable=True),
        scalar("closed_at", FieldKind.DATETIME, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    custom_fields=True,
)


def check_move(opportunity: Opportunity, process: SalesProcess, target: str) -> Stage:
    """The stage an open opportunity may move to under its process's rules.

    Moving back is always allowed; forward only to the next stage unless the process
    allows skipping; every field the stage requires must have a value (declared or custom).

    Raises:
        InvalidStateTransition: the opportunity is closed, or the move skips stages.
        ValidationError: an unknown stage, or a required field without a value.
    """
    require_status(
        "Opportunity",
        opportunity.id,
        opportunity.status,
        (OpportunityStatus.OPEN,),
        f"move to {target}",
    )
    stage = process.stage(target)
    here, there = process.position(opportunity.stage), process.position(target)
    if there > here + 1 and not process.skip_forward:
        raise InvalidStateTransition(
            "Opportunity", opportunity.id, opportunity.stage, f"skip forward to {target}"
        )
    for name in stage.required_fields:
        value = opportunity.custom.get(name, getattr(opportunity, name, None))
        if value is None or value == "":
            raise ValidationError(
                f"opportunity {opportunity.name!r} needs {name!r} to enter stage "
                f"{target!r}; fill it in first."
            )
    return stage


@attrs.frozen
class ForecastLine:
    """The weighted pipeline of one owner in one period (month of expected close)."""

    owner_id: str
    period: str
    currency: str
    weighted: Decimal
    count: int


def forecast(
    opportunities: Iterable[Opportunity], processes: dict[str, SalesProcess]
) -> list[ForecastLine]:
    """Amount x stage probability of the open opportunities, by owner, month and currency.

    Exact in Decimal: each product is ``amount * win_percent / 100`` with no rounding
    (amounts have 4 decimals, percents at most 2 more places, so sums stay exact).
    """
    totals: dict[tuple[str, str, str], tuple[Decimal, int]] = {}
    for opp in opportunities:
        if opp.status is not OpportunityStatus.OPEN:
            continue
        percent = processes[opp.process_id].stage(opp.stage).win_percent
        key = (opp.owner_id, opp.expected_close.strftime("%Y-%m"), opp.currency)
        total, count = totals.get(key, (Decimal(0), 0))
        totals[key] = (total + opp.amount * percent / HUNDRED, count + 1)
    return [ForecastLine(o, p, c, w, n) for (o, p, c), (w, n) in sorted(totals.items())]
