"""Every declared record type of field work and service, in storage order."""

from __future__ import annotations

from typing import Any

from crmkit.domain.field_work.calendar import BUSINESS_CALENDARS
from crmkit.domain.field_work.shelf import SHELF_CHECKS
from crmkit.domain.field_work.templates import VISIT_ACTION_TEMPLATES
from crmkit.domain.field_work.visits import VISITS
from crmkit.domain.field_work.work_orders import WORK_ORDERS
from crmkit.domain.records import RecordType

FIELD_WORK_TYPES: tuple[RecordType[Any], ...] = (
    VISIT_ACTION_TEMPLATES,
    VISITS,
    SHELF_CHECKS,
    BUSINESS_CALENDARS,
    WORK_ORDERS,
)
"""One migration (``0008_field_work``) creates their tables."""
