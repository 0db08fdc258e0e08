"""Every declared record type of the front office, in storage order."""

from __future__ import annotations

from typing import Any

from crmkit.domain.front_office.contacts import CONTACTS
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.follow_ups import FOLLOW_UPS
from crmkit.domain.front_office.leads import LEADS
from crmkit.domain.front_office.opportunities import OPPORTUNITIES, SALES_PROCESSES
from crmkit.domain.front_office.people import TASKS, TEAMS, USERS
from crmkit.domain.front_office.pools import POOL_EVENTS, POOL_SEATS, POOLS
from crmkit.domain.records import RecordType

FRONT_OFFICE_TYPES: tuple[RecordType[Any], ...] = (
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
"""One migration (``0007_front_office``) creates their tables."""
