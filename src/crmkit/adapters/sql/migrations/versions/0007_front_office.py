"""The sales front office: users, teams, tasks, pools, customers, contacts, leads,
follow-ups, sales processes and opportunities (declared record types).

Revision ID: 0007_front_office
Revises: 0006_orders
Create Date: 2026-11-27
"""

from __future__ import annotations

from crmkit.adapters.sql.migrate import create_record_tables, drop_record_tables
from crmkit.domain.front_office.contacts import CONTACTS
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.follow_ups import FOLLOW_UPS
from crmkit.domain.front_office.leads import LEADS
from crmkit.domain.front_office.opportunities import OPPORTUNITIES, SALES_PROCESSES
from crmkit.domain.front_office.people import TASKS, TEAMS, USERS
from crmkit.domain.front_office.pools import POOL_EVENTS, POOL_SEATS, POOLS

revision = "0007_front_office"
down_revision = "0006_orders"
branch_labels = None
depends_on = None

TYPES = (
    USERS,
    TEAMS,
    TASKS,
    POOLS,
    POOL_SEATS,
    POOL_EVENTS,
    CUSTOMERS,
    CONTACTS,
    LEADS,
    FOLLOW_UPS,
    SALES_PROCESSES,
    OPPORTUNITIES,
)
"""The record types this revision creates, in order (their tables come from the declarations)."""


def upgrade() -> None:
    create_record_tables(*TYPES)


def downgrade() -> None:
    drop_record_tables(*TYPES)
