"""Field work and service: visits (拜访) with visit actions (拜访动作) and shelf checks (盘点动作),
and work orders (工单) with SLAs on a business calendar. See docs/field-and-service.md."""

from crmkit.domain.field_work import errors as _errors
from crmkit.domain.field_work.calendar import BusinessCalendar, Priority, SlaTarget
from crmkit.domain.field_work.errors import *  # noqa: F403
from crmkit.domain.field_work.shelf import PriceDeviation, ShelfCheck, ShelfLine
from crmkit.domain.field_work.templates import (
    FieldValue,
    FormField,
    FormFieldKind,
    Step,
    StepKind,
    VisitActionTemplate,
)
from crmkit.domain.field_work.visits import StepEntry, Visit, VisitStatus
from crmkit.domain.field_work.work_orders import (
    Assignment,
    Comment,
    WorkOrder,
    WorkOrderStatus,
)
from crmkit.services.field_work.shelf import (
    ShelfCheckService,
    ShelfFigures,
    StoreDeliveries,
    StorePrices,
)
from crmkit.services.field_work.store_deliveries import LedgerStoreDeliveries
from crmkit.services.field_work.store_prices import PriceListStorePrices
from crmkit.services.field_work.visits import VisitService
from crmkit.services.field_work.work_orders import WorkOrderService

__all__ = [
    "Assignment",
    "BusinessCalendar",
    "Comment",
    "FieldValue",
    "FormField",
    "FormFieldKind",
    "LedgerStoreDeliveries",
    "PriceDeviation",
    "PriceListStorePrices",
    "Priority",
    "ShelfCheck",
    "ShelfCheckService",
    "ShelfFigures",
    "ShelfLine",
    "SlaTarget",
    "Step",
    "StepEntry",
    "StepKind",
    "StoreDeliveries",
    "StorePrices",
    "Visit",
    "VisitActionTemplate",
    "VisitService",
    "VisitStatus",
    "WorkOrder",
    "WorkOrderService",
    "WorkOrderStatus",
]
__all__ += _errors.__all__
