"""Steps of the order commands: numbers, outbox events, and the stock an order line ships
from or takes back. Each runs inside the command's unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain.accounts import CustomerAccount, Fund, Hold, HoldStatus
from crmkit.domain.errors import InvalidStateTransition, NotFound, ValidationError
from crmkit.domain.inventory import DeliveryNote, Reservation, ReservationId
from crmkit.domain.order_lifecycle import ReservationExpired, label
from crmkit.domain.outbox import NumberPatterns, OutboxEvent, payload
from crmkit.domain.sales_order import SalesOrder
from crmkit.domain.timestamps import utc_millis
from crmkit.services.ports import UnitOfWork

OUTBOX_SERIES = "outbox"


@attrs.frozen
class PendingEvent:
    """An event of a command, before the outbox gives it a position."""

    name: str
    aggregate_id: str
    payload: str


def take_number(uow: UnitOfWork, numbers: NumberPatterns, kind: str, now: datetime) -> str:
    """The next document number of ``kind`` in the tenant's pattern."""
    return numbers.format(kind, uow.counters.take(kind), now)


def claim_outbox(uow: UnitOfWork) -> None:
    """Claim the outbox counter as the unit of work's first step (see
    :meth:`~crmkit.services.order_ports.DocumentCounterRepository.claim`)."""
    uow.counters.claim(OUTBOX_SERIES)


def write_events(
    uow: UnitOfWork, events: Sequence[PendingEvent], now: datetime
) -> tuple[OutboxEvent, ...]:
    """Give ``events`` the next outbox positions and store them (last step of a command:
    the outbox counter is locked until the unit of work ends, so positions become visible
    in position order). Call :func:`claim_outbox` first in the unit of work."""
    if not events:
        return ()
    last = uow.counters.take(OUTBOX_SERIES, len(events))
    first = last - len(events) + 1
    stored = tuple(
        OutboxEvent(uow.tenant_id, first + n, e.name, e.aggregate_id, e.payload, now)
        for n, e in enumerate(events)
    )
    uow.outbox.append(stored)
    return stored


def paying_account(uow: UnitOfWork, order: SalesOrder, *, lock: bool) -> CustomerAccount:
    """The customer account that pays for ``order`` (``lock``: locked for the unit of work)."""
    account = uow.customer_accounts.find(order.account_id, order.currency, for_update=lock)
    if account is None:
        raise NotFound(
            "CustomerAccount",
            "customer and currency",
            f"{order.account_id}/{order.currency}",
            uow.tenant_id,
        )
    return account


def pending_holds(uow: UnitOfWork, account_id: str, order: SalesOrder) -> list[Hold]:
    """The order's holds that still hold money, in fund order."""
    return pending_in(uow.holds.of_order(account_id, order.id))


def pending_in(holds: Iterable[Hold]) -> list[Hold]:
    """Those of ``holds`` that still hold money, in fund order."""
    return in_fund_order(h for h in holds if h.status is HoldStatus.PENDING)


def in_fund_order(holds: Iterable[Hold]) -> list[Hold]:
    """Holds in a stable order (one hold per fund and order): the order of :class:`Fund`,
    so that leftover minor units of a split land alike on every backend."""
    rank = {fund: n for n, fund in enumerate(Fund)}
    return sorted(holds, key=lambda h: (rank[h.fund], h.created_at, h.id))


def reservations_to_ship(
    uow: UnitOfWork, order: SalesOrder, quantities: Mapping[int, Decimal], now: datetime
) -> tuple[list[tuple[ReservationId, Decimal]], dict[ReservationId, Reservation]]:
    """The reservations (oldest first, then by warehouse priority) and quantities that
    ship ``quantities`` per line, and the order's open reservations as read.

    Raises:
        ReservationExpired: a line's reservation expired before it was shipped.
        InvalidStateTransition: a line has less reserved than asked (released by a count).
    """
    by_line: dict[str, list[Reservation]] = {}
    opened = uow.reservations.for_order(order.id, open_only=True)
    for reservation in opened:
        by_line.setdefault(reservation.line_id, []).append(reservation)
    rank = {w.id: (w.priority, w.code) for w in uow.warehouses.list_all()}

    def oldest_first(r: Reservation) -> tuple[object, ...]:
        return (r.created_at, rank.get(r.warehouse_id, (0, "")), r.id)

    wanted: list[tuple[ReservationId, Decimal]] = []
    for line_no, asked in sorted(quantities.items()):
        left = asked
        for reservation in sorted(by_line.get(str(line_no), []), key=oldest_first):
            if left == 0:
                break
            if reservation.is_expired(now):
                assert reservation.expires_at is not None
                raise ReservationExpired(order, line_no, reservation.expires_at)
            part = min(left, reservation.remaining)
            wanted.append((reservation.id, part))
            left -= part
        if left > 0:
            raise InvalidStateTransition(
                "sales order",
                label(order),
                f"short of {left} reserved for line {line_no}",
                "deliver",
            )
    return wanted, {r.id: r for r in opened}


def deliveries_to_return(
    uow: UnitOfWork, order: SalesOrder, quantities: Mapping[int, Decimal]
) -> list[tuple[DeliveryNote, list[tuple[int, Decimal]]]]:
    """The delivery notes (newest first) and their lines that take back ``quantities``."""
    notes = [
        uow.stock_documents.get(DeliveryNote, d.document_id)
        for d in reversed(order.documents)
        if d.kind == "delivery_note"
    ]
    left = dict(quantities)
    plan: list[tuple[DeliveryNote, list[tuple[int, Decimal]]]] = []
    for note in notes:
        lines: list[tuple[int, Decimal]] = []
        for line in note.lines:
            want = left.get(int(line.order_line_id), Decimal(0))
            part = min(want, line.quantity - line.returned)
            if part > 0:
                lines.append((line.line_no, part))
                left[int(line.order_line_id)] = want - part
        if lines:
            plan.append((note, lines))
    return plan


def moment(value: object, what: str) -> datetime | None:
    """An optional aware datetime argument, checked and truncated to milliseconds."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError(f"{what} must be an aware datetime, got {type(value).__name__}.")
    return utc_millis(value)


def order_event(name: str, order: SalesOrder, **fields: object) -> PendingEvent:
    """An event of ``order`` with its id, number and status beside ``fields``."""
    status: str = order.status._value_  # ``status.value`` without the property's calls
    base = {"order_id": order.id, "number": order.number, "status": status}
    return PendingEvent(name, order.id, payload(**base, **fields))


def content_of(quantities: Mapping[int, object]) -> object:
    """Line quantities as fingerprint content (refusing what is not a mapping)."""
    if not isinstance(quantities, Mapping):
        raise ValidationError("quantities must map order line numbers to quantities.")
    return sorted((repr(k), str(v)) for k, v in quantities.items())


def lines_of(  # the order lines and quantities of delivery note lines
    delivery: DeliveryNote, lines: list[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    by_no = {x.line_no: int(x.order_line_id) for x in delivery.lines}
    merged: dict[int, Decimal] = {}
    for n, q in lines:
        merged[by_no[n]] = merged.get(by_no[n], Decimal(0)) + q
    return list(merged.items())
