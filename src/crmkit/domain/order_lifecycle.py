"""The sales order lifecycle (销售订单): transitions, delivered and returned quantities, and
the money share of a delivery or a return.

::

    draft -> (pending approval) -> confirmed -> partially delivered -> delivered -> closed
    pending approval -> draft                          (rejected)
    draft | pending approval | confirmed -> cancelled  (nothing delivered)
    partially delivered | delivered -> closed          (what is left is released)

**The money share** of shipped (or returned) goods is defined once, here: per line,
``line gross x quantity / ordered``, rounded half-up to the currency's minor unit, summed
over the lines. The service splits it over the order's holds; the last delivery posts
the exact remainders, so postings always sum to the holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from crmkit.domain.currency import minor_unit
from crmkit.domain.errors import InvalidStateTransition, ValidationError
from crmkit.domain.price_list import quantity
from crmkit.domain.rounding import Rounding
from crmkit.domain.sales_order import OrderDocument, SalesOrder, SalesOrderLine
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.domain.versioning import evolved

SHARE_ROUNDING = Rounding.HALF_UP
"""The rounding of each line's share of a delivery or a return (to the minor unit)."""

CANCELLABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.CONFIRMED})
DELIVERABLE = frozenset({Status.CONFIRMED, Status.PARTIALLY_DELIVERED})
CLOSABLE = frozenset({Status.PARTIALLY_DELIVERED, Status.DELIVERED})
RETURNABLE = frozenset({Status.PARTIALLY_DELIVERED, Status.DELIVERED, Status.CLOSED})


class OrderTransitionNotAllowed(InvalidStateTransition):
    """The order's status does not allow the command."""

    code = "order_transition_not_allowed"

    def __init__(self, order: SalesOrder, action: str) -> None:
        super().__init__("sales order", label(order), order.status.value, action)


class EmptyOrder(ValidationError):
    """An order without lines cannot be created or confirmed."""

    code = "empty_order"


class DeliveryExceedsOrdered(ValidationError):
    """A delivery ships more of a line than is left to deliver."""

    code = "delivery_exceeds_ordered"
    default_field = "quantities"
    template = (
        "order {order} line {line_no} ({sku}): {left} left to deliver, cannot deliver {asked}; "
        "deliver at most that."
    )

    def __init__(self, order: SalesOrder, line: SalesOrderLine, asked: Decimal) -> None:
        self._tell({"sku": line.sku}, **_line_asked(order, line, asked, line.to_deliver))


class ReturnExceedsDelivered(ValidationError):
    """A return takes back more of a line than was delivered and not returned."""

    code = "return_exceeds_delivered"
    default_field = "quantities"
    template = (
        "order {order} line {line_no} ({sku}): {left} delivered and not returned, cannot "
        "return {asked}; return at most that."
    )

    def __init__(self, order: SalesOrder, line: SalesOrderLine, asked: Decimal) -> None:
        self._tell({"sku": line.sku}, **_line_asked(order, line, asked, line.returnable))


def _line_asked(
    order: SalesOrder, line: SalesOrderLine, asked: Decimal, left: Decimal
) -> dict[str, object]:
    """The details of an error about asking more of an order line than is ``left``."""
    return {"order": label(order), "line_no": line.line_no, "asked": asked, "left": left}


class ReservationExpired(InvalidStateTransition):
    """The order's reservation expired before the goods were delivered."""

    code = "reservation_expired"

    def __init__(self, order: SalesOrder, line_no: int, expired_at: datetime) -> None:
        InvalidStateTransition.__init__(
            self,
            "sales order",
            label(order),
            f"reserved for line {line_no} only until {expired_at.isoformat()}",
            "deliver",
        )


def label(order: SalesOrder) -> str:
    """The order as the user knows it: its number, or its id before it has one."""
    return order.number or order.id


def line_quantities(
    order: SalesOrder, wanted: Mapping[int, object], what: str
) -> dict[int, Decimal]:
    """``wanted`` checked against the order's lines: known line numbers, positive amounts.

    Raises:
        ValidationError: no line, an unknown line number or a quantity that is not positive.
    """
    if not isinstance(wanted, Mapping) or not wanted:
        raise ValidationError(
            f"a {what} of order {label(order)} needs at least one line: pass {{line_no: quantity}}."
        )
    known = {line.line_no for line in order.lines}
    checked: dict[int, Decimal] = {}
    for line_no, amount in wanted.items():
        if isinstance(line_no, bool) or not isinstance(line_no, int) or line_no not in known:
            raise ValidationError(
                f"order {label(order)} has no line {line_no!r}; its lines are {sorted(known)}.",
                order=label(order),
            )
        checked[line_no] = quantity(amount, f"{what} quantity of line {line_no}")
    return checked


def share(order: SalesOrder, quantities: Mapping[int, Decimal]) -> Decimal:
    """The money share of ``quantities`` of the order's lines (see the module docstring)."""
    step = minor_unit(order.currency)
    total = Decimal(0)
    for line, amounts in zip(order.lines, order.amounts(), strict=True):
        moved = quantities.get(line.line_no)
        if moved:
            total += SHARE_ROUNDING.apply(amounts.gross * moved / line.quantity, step)
    return total.quantize(step)


def _moved(
    order: SalesOrder,
    quantities: Mapping[int, Decimal],
    document: OrderDocument,
    now: datetime,
    *,
    limit: type[DeliveryExceedsOrdered | ReturnExceedsDelivered],
    left: Callable[[SalesOrderLine], Decimal],
    add: Callable[[SalesOrderLine, Decimal], SalesOrderLine],
) -> SalesOrder:
    """The order with ``quantities`` added to its lines by ``add``, each within ``left``
    (else ``limit`` is raised)."""
    lines = []
    for line in order.lines:
        asked = quantities.get(line.line_no)
        if asked is None:
            lines.append(line)
            continue
        if asked > left(line):
            raise limit(order, line, asked)
        lines.append(add(line, asked))
    return evolved(
        order,
        lines=tuple(lines),
        documents=(*order.documents, document),
        updated_at=now,
    )


def _to_deliver(line: SalesOrderLine) -> Decimal:
    return line.to_deliver


def _returnable(line: SalesOrderLine) -> Decimal:
    return line.returnable


def _shipped(line: SalesOrderLine, asked: Decimal) -> SalesOrderLine:
    return evolved(line, delivered=line.delivered + asked)


def _returned(line: SalesOrderLine, asked: Decimal) -> SalesOrderLine:
    return evolved(line, returned=line.returned + asked)


def deliver(
    order: SalesOrder, quantities: Mapping[int, Decimal], document: OrderDocument, now: datetime
) -> SalesOrder:
    """The order after shipping ``quantities`` on ``document``.

    Raises:
        OrderTransitionNotAllowed: the order is not confirmed or partially delivered.
        DeliveryExceedsOrdered: a line ships more than is left to deliver.
    """
    if order.status not in DELIVERABLE:
        raise OrderTransitionNotAllowed(order, "deliver")
    moved = _moved(
        order,
        quantities,
        document,
        now,
        limit=DeliveryExceedsOrdered,
        left=_to_deliver,
        add=_shipped,
    )
    done = all(line.to_deliver == 0 for line in moved.lines)
    return evolved(moved, status=Status.DELIVERED if done else Status.PARTIALLY_DELIVERED)


def take_back(
    order: SalesOrder, quantities: Mapping[int, Decimal], document: OrderDocument, now: datetime
) -> SalesOrder:
    """The order after a return of ``quantities`` on ``document`` (its status is kept).

    Raises:
        OrderTransitionNotAllowed: nothing was delivered on the order.
        ReturnExceedsDelivered: a line returns more than was delivered and not returned.
    """
    if order.status not in RETURNABLE:
        raise OrderTransitionNotAllowed(order, "take back goods of")
    return _moved(
        order,
        quantities,
        document,
        now,
        limit=ReturnExceedsDelivered,
        left=_returnable,
        add=_returned,
    )


_ALLOWED: dict[Status, frozenset[Status]] = {
    Status.PENDING_APPROVAL: frozenset({Status.DRAFT}),
    Status.CONFIRMED: frozenset({Status.DRAFT, Status.PENDING_APPROVAL}),
    Status.DRAFT: frozenset({Status.PENDING_APPROVAL}),
    Status.CANCELLED: CANCELLABLE,
    Status.CLOSED: CLOSABLE,
}
"""The statuses an order may move to each status from (by :func:`to_status`)."""


def check_status_move(order: SalesOrder, status: Status, action: str) -> None:
    """Refuse ``action`` unless the lifecycle lets the order move to ``status``.

    Raises:
        OrderTransitionNotAllowed: the order's status does not allow ``action``.
    """
    if order.status not in _ALLOWED.get(status, ()):
        raise OrderTransitionNotAllowed(order, action)


def to_status(
    order: SalesOrder, status: Status, action: str, now: datetime, **changes: Any
) -> SalesOrder:
    """The order moved to ``status`` by ``action`` if the lifecycle allows it, with
    ``changes`` to its other fields made in the same step.

    Raises:
        OrderTransitionNotAllowed: the order's status does not allow ``action``.
    """
    check_status_move(order, status, action)
    return evolved(order, status=status, updated_at=now, **changes)
