"""The sales front office: customers (客户), pools (公海/线索池), contacts (联系人), leads
(销售线索), follow-ups (跟进记录), sales processes (销售流程), opportunities (商机), people
and tasks. See docs/front-office.md.
"""

from crmkit.domain.front_office import errors as _errors
from crmkit.domain.front_office.contacts import CONTACTS, Contact
from crmkit.domain.front_office.customers import (
    CUSTOMERS,
    Customer,
    CustomerKind,
    CustomerStatus,
    MapPoint,
)
from crmkit.domain.front_office.errors import *  # noqa: F403
from crmkit.domain.front_office.follow_ups import FollowUp, FollowUpKind, FollowUpSubject
from crmkit.domain.front_office.leads import LEADS, Lead, LeadSource, LeadStatus
from crmkit.domain.front_office.opportunities import (
    ForecastLine,
    Opportunity,
    OpportunityStatus,
    SalesProcess,
    Stage,
)
from crmkit.domain.front_office.people import USERS, Role, Task, TaskStatus, Team, User
from crmkit.domain.front_office.pools import Assignment, Pool, PoolAction, PoolEvent, PoolKind
from crmkit.services.front_office.activity import ActivityService
from crmkit.services.front_office.customers import CustomerService, pricing_customer
from crmkit.services.front_office.leads import Conversion, LeadEntry, LeadService, OpportunityDraft
from crmkit.services.front_office.opportunities import OpportunityService
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.front_office.pools import PoolService
from crmkit.services.front_office.quoting import CustomerFunds, CustomerQuotes

__all__ = [
    "CONTACTS",
    "CUSTOMERS",
    "LEADS",
    "USERS",
    "ActivityService",
    "Assignment",
    "Contact",
    "Conversion",
    "Customer",
    "CustomerFunds",
    "CustomerKind",
    "CustomerQuotes",
    "CustomerService",
    "CustomerStatus",
    "DirectoryService",
    "FollowUp",
    "FollowUpKind",
    "FollowUpSubject",
    "ForecastLine",
    "Lead",
    "LeadEntry",
    "LeadService",
    "LeadSource",
    "LeadStatus",
    "MapPoint",
    "Opportunity",
    "OpportunityDraft",
    "OpportunityService",
    "OpportunityStatus",
    "Pool",
    "PoolAction",
    "PoolEvent",
    "PoolKind",
    "PoolService",
    "Role",
    "SalesProcess",
    "Stage",
    "Task",
    "TaskStatus",
    "Team",
    "User",
    "pricing_customer",
]
__all__ += _errors.__all__
