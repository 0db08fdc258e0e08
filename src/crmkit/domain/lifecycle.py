"""The one lifecycle rule records share: a command runs only from the states that allow it.

Documents, visits, work orders, reservations, invoice requests, refunds and approval
instances each name the states a command may start from; :func:`require_status` refuses
the others with :class:`~crmkit.domain.errors.InvalidStateTransition`.
"""

from __future__ import annotations

import enum
from collections.abc import Container

from crmkit.domain.errors import InvalidStateTransition


def require_status(
    entity: str, record_id: object, status: enum.Enum, allowed: Container[enum.Enum], action: str
) -> None:
    """Nothing if ``status`` is one of ``allowed``.

    Raises:
        InvalidStateTransition: ``action`` is not allowed from ``status``.
    """
    if status not in allowed:
        raise InvalidStateTransition(entity, record_id, status.value, action)
