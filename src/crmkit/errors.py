"""Every error crmkit raises, in one place: all are :class:`CrmkitError` with a stable ``code``.

Catch :class:`CrmkitError` for any of them, or a subclass for one kind of failure::

    from crmkit.errors import CrmkitError, InsufficientStock

The modules that hold nothing but errors are taken whole (their ``__all__``); the errors of
the modules that hold more are named one by one.
"""

from crmkit.domain import account_errors as _account
from crmkit.domain import approval_errors as _approval
from crmkit.domain import errors as _core
from crmkit.domain.account_errors import *  # noqa: F403
from crmkit.domain.approval_errors import *  # noqa: F403
from crmkit.domain.condition_nodes import InvalidCondition
from crmkit.domain.errors import *  # noqa: F403
from crmkit.domain.field_work import errors as _field_work
from crmkit.domain.field_work.errors import *  # noqa: F403
from crmkit.domain.front_office import errors as _front_office
from crmkit.domain.front_office.errors import *  # noqa: F403
from crmkit.domain.inventory import errors as _inventory
from crmkit.domain.inventory.errors import *  # noqa: F403
from crmkit.domain.order_lifecycle import (
    DeliveryExceedsOrdered,
    EmptyOrder,
    OrderTransitionNotAllowed,
    ReservationExpired,
    ReturnExceedsDelivered,
)
from crmkit.domain.pricing import NoPriceFound
from crmkit.domain.processes import ProcessStepRefused
from crmkit.domain.quote import ConversionExceedsRemaining, QuoteExpired, QuoteTransitionNotAllowed
from crmkit.domain.receivables import errors as _receivables
from crmkit.domain.receivables.errors import *  # noqa: F403

__all__ = [
    "ConversionExceedsRemaining",
    "DeliveryExceedsOrdered",
    "EmptyOrder",
    "InvalidCondition",
    "NoPriceFound",
    "OrderTransitionNotAllowed",
    "ProcessStepRefused",
    "QuoteExpired",
    "QuoteTransitionNotAllowed",
    "ReservationExpired",
    "ReturnExceedsDelivered",
]
__all__ += _core.__all__
__all__ += _account.__all__
__all__ += _approval.__all__
__all__ += _field_work.__all__
__all__ += _front_office.__all__
__all__ += _inventory.__all__
__all__ += _receivables.__all__
