"""Field work and service: visit action templates, visits, shelf checks, business
calendars and work orders (declared record types).

Revision ID: 0008_field_work
Revises: 0007_front_office
Create Date: 2026-11-27
"""

from __future__ import annotations

from crmkit.adapters.sql.migrate import create_record_tables, drop_record_tables
from crmkit.domain.field_work.calendar import BUSINESS_CALENDARS
from crmkit.domain.field_work.shelf import SHELF_CHECKS
from crmkit.domain.field_work.templates import VISIT_ACTION_TEMPLATES
from crmkit.domain.field_work.visits import VISITS
from crmkit.domain.field_work.work_orders import WORK_ORDERS

revision = "0008_field_work"
down_revision = "0007_front_office"
branch_labels = None
depends_on = None

TYPES = (
    VISIT_ACTION_TEMPLATES,
    VISITS,
    SHELF_CHECKS,
    BUSINESS_CALENDARS,
    WORK_ORDERS,
)
"""The record types this revision creates, in order (their tables come from the declarations)."""


def upgrade() -> None:
    create_record_tables(*TYPES)


def downgrade() -> None:
    drop_record_tables(*TYPES)
