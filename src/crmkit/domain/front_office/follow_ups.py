"""Follow-ups (跟进记录): one activity log shared by leads, customers and opportunities."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crmkit.domain.ids import TenantId
from crmkit.domain.records import FieldKind, RecordType, scalar, text


class FollowUpSubject(enum.Enum):
    """What a follow-up is about."""

    LEAD = "lead"
    CUSTOMER = "customer"
    OPPORTUNITY = "opportunity"


class FollowUpKind(enum.Enum):
    """How the rep followed up."""

    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    NOTE = "note"


@attrs.frozen
class FollowUp:
    """Who followed up what, how, when, and the outcome."""

    id: str
    tenant_id: TenantId
    subject_type: FollowUpSubject
    subject_id: str
    kind: FollowUpKind
    user_id: str
    at: datetime
    outcome: str
    version: int = 1


FOLLOW_UPS: RecordType[FollowUp] = RecordType(
    FollowUp,
    entity="FollowUp",
    name="follow_up",
    fields=(
        text("id", 32),
        text("subject_type", 16, indexed=True),
        text("subject_id", 32, indexed=True),
        text("kind", 16, indexed=True),
        text("user_id", 32, indexed=True),
        scalar("at", FieldKind.DATETIME, indexed=True),
        text("outcome", 200),
    ),
)
