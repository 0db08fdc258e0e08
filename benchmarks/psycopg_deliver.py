"""The hand-written baseline of an order's full delivery on PostgreSQL, with psycopg.

Beside ``psycopg_baseline.py`` (the confirm), it writes what crmkit's ``OrderService.deliver``
writes when it ships everything left of a confirmed order: the order's holds posted (the
hold, a journal entry, the account's balance, held and posted totals), its open reservations
shipped, one stock movement per reservation, the stock levels' on hand and reserved, the
delivery note and its number, the order's lines, status and documents, three outbox events
with the tenant's outbox counter, and the request key. It reads and locks what it changes
first (request key, order, account, holds, reservations, stock levels in key order), one
statement per table, multi-row where several rows change. It pays from prepayment only, as
the confirm baseline does. Keep it fixed: the performance work measures crmkit against it.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import psycopg

from benchmarks.psycopg_baseline import _conninfo

BASELINE_DELIVER_STATEMENTS = 18
"""Statements per delivery (between BEGIN and COMMIT)."""

Cursor = psycopg.Cursor[tuple[object, ...]]
_V1 = {"schema_version": 1}


def baseline_deliver(url: str, tenant: str, order_ids: list[str], start_at: float) -> list[float]:
    """Deliver everything left of each confirmed order by hand; the latencies in seconds."""
    latencies = []
    with psycopg.connect(_conninfo(url)) as connection:
        time.sleep(max(0.0, start_at - time.time()))
        for order_id in order_ids:
            started = time.perf_counter()
            with connection.transaction(), connection.cursor() as cur:
                _deliver(cur, tenant, order_id, uuid.uuid4().hex)
            latencies.append(time.perf_counter() - started)
    return latencies


def _deliver(cur: Cursor, tenant: str, order_id: str, key: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    cur.execute(
        "SELECT 1 FROM crmkit_processed_request WHERE tenant_id = %s AND key = %s", (tenant, key)
    )
    if cur.fetchone() is not None:
        return
    cur.execute(
        "SELECT body, account_id, currency, status FROM crmkit_sales_order "
        "WHERE tenant_id = %s AND id = %s FOR UPDATE",
        (tenant, order_id),
    )
    row = cur.fetchone()
    assert row is not None
    assert row[3] in {"confirmed", "part_delivered"}
    body = json.loads(str(row[0]))
    posted = _post_holds(cur, tenant, order_id, str(row[1]), str(row[2]), key, now)
    note_id = uuid.uuid4().hex
    shipped = _ship(cur, tenant, order_id, note_id, key, now)
    cur.execute(
        "INSERT INTO crmkit_counter (tenant_id, series, value) VALUES (%s, 'delivery_note', 1) "
        "ON CONFLICT (tenant_id, series) DO UPDATE SET value = crmkit_counter.value + 1 "
        "RETURNING value",
        (tenant,),
    )
    counted = cur.fetchone()
    assert counted is not None
    number = f"DN-{now.year}-{int(counted[0]):06d}"  # type: ignore[call-overload]
    lines = [
        {
            "line_no": n,
            "order_line_id": line,
            "product_id": product,
            "quantity": _plain(part),
            "reservation_id": rid,
            "returned": "0",
            "warehouse_id": warehouse,
        }
        for n, (rid, line, product, warehouse, part) in enumerate(shipped, 1)
    ]
    stamp = now.replace(tzinfo=UTC).isoformat()
    note: dict[str, object] = {"id": note_id, "tenant_id": tenant, "order_id": order_id}
    note |= {"lines": lines, "note": None, "status": "posted", "version": 1}
    cur.execute(
        "INSERT INTO crmkit_stock_document (tenant_id, kind, id, status, body, created_at, "
        "updated_at, version) VALUES (%s, 'delivery_note', %s, 'posted', %s, %s, %s, 1)",
        (tenant, note_id, json.dumps(note | {"created_at": stamp, "updated_at": stamp}), now, now),
    )
    by_line: dict[str, Decimal] = {}
    for _, line, _, _, part in shipped:
        by_line[line] = by_line.get(line, Decimal(0)) + part
    for line in body["lines"]:
        delivered = Decimal(line["delivered"]) + by_line.get(str(line["line_no"]), Decimal(0))
        assert delivered == Decimal(line["quantity"])
        line["delivered"] = _plain(delivered)
    body["status"] = "delivered"
    body["documents"].append({"document_id": note_id, "kind": "delivery_note", "number": number})
    cur.execute(
        "UPDATE crmkit_sales_order SET status = 'delivered', body = %s, updated_at = %s, "
        "version = version + 1 WHERE tenant_id = %s AND id = %s",
        (json.dumps(body), now, tenant, order_id),
    )
    _events(cur, tenant, order_id, body["number"], now, number, by_line, posted)
    cur.execute(
        "INSERT INTO crmkit_processed_request (tenant_id, key, operation, fingerprint, "
        "result, created_at, version) VALUES (%s, %s, 'order.deliver', %s, %s, %s, 1)",
        (tenant, key, key[:64], json.dumps({"order": order_id}), now),
    )


def _post_holds(  # noqa: PLR0917 -- one private step of the transaction
    cur: Cursor, tenant: str, order_id: str, customer: str, currency: str, key: str, now: datetime
) -> Decimal:
    """Post all that the order's pending prepayment hold still holds; the amount."""
    cur.execute(
        "SELECT id, prepayment_balance, prepayment_held, prepayment_posted, last_seq "
        "FROM crmkit_customer_account "
        "WHERE tenant_id = %s AND customer_id = %s AND currency = %s FOR UPDATE",
        (tenant, customer, currency),
    )
    account = cur.fetchone()
    assert account is not None
    account_id, balance, held, total_posted, last_seq = account
    cur.execute(
        "SELECT id, fund, amount - posted - voided, expires_at FROM crmkit_account_hold "
        "WHERE tenant_id = %s AND account_id = %s AND order_id = %s AND status = 'pending' "
        "ORDER BY id FOR UPDATE",
        (tenant, account_id, order_id),
    )
    ((hold_id, fund, left, expires_at),) = cur.fetchall()
    assert fund == "prepayment"
    assert expires_at is None or expires_at > now  # type: ignore[operator]
    amount = Decimal(left)  # type: ignore[arg-type]
    cur.execute(
        "UPDATE crmkit_account_hold SET posted = posted + %s, status = 'resolved', "
        "updated_at = %s, version = version + 1 WHERE tenant_id = %s AND id = %s",
        (amount, now, tenant, hold_id),
    )
    new_balance = Decimal(balance) - amount  # type: ignore[arg-type]
    new_held = Decimal(held) - amount  # type: ignore[arg-type]
    seq = int(last_seq) + 1  # type: ignore[call-overload]
    ids = (hold_id, order_id)
    cur.execute(
        "INSERT INTO crmkit_journal_entry (tenant_id, account_id, seq, key, kind, fund, "
        "balance_delta, held_delta, balance_after, held_after, grant_id, hold_id, "
        "order_id, created_at, version) VALUES (%s, %s, %s, %s, 'post', 'prepayment', %s, "
        "%s, %s, %s, NULL, %s, %s, %s, 1)",
        [tenant, account_id, seq, key, -amount, -amount, new_balance, new_held, *ids, now],
    )
    cur.execute(
        "UPDATE crmkit_customer_account SET prepayment_balance = %s, prepayment_held = %s, "
        "prepayment_posted = %s, last_seq = %s, updated_at = %s, version = version + 1 "
        "WHERE tenant_id = %s AND id = %s",
        (new_balance, new_held, Decimal(total_posted) + amount, seq, now, tenant, account_id),  # type: ignore[arg-type]
    )
    return amount


def _ship(  # noqa: PLR0917 -- one private step of the transaction
    cur: Cursor, tenant: str, order_id: str, note_id: str, key: str, now: datetime
) -> list[tuple[str, str, str, str, Decimal]]:
    """Ship what the order's open reservations hold; (id, line, product, warehouse, part)."""
    cur.execute(
        "SELECT id, line_id, product_id, warehouse_id, quantity - shipped - released, "
        "expires_at FROM crmkit_reservation WHERE tenant_id = %s AND order_id = %s "
        "AND status = 'open' ORDER BY line_id, id FOR UPDATE",
        (tenant, order_id),
    )
    shipped = []
    for rid, line, product, warehouse, left, expires_at in cur.fetchall():
        assert expires_at is None or expires_at > now  # type: ignore[operator]
        shipped.append((str(rid), str(line), str(product), str(warehouse), Decimal(left)))  # type: ignore[arg-type]
    cur.execute(
        "SELECT product_id, warehouse_id, on_hand, reserved FROM crmkit_stock_level "
        "WHERE tenant_id = %s AND product_id = ANY(%s) AND warehouse_id = ANY(%s) "
        "ORDER BY product_id, warehouse_id FOR UPDATE",
        (tenant, [s[2] for s in shipped], [s[3] for s in shipped]),
    )
    levels = {(str(p), str(w)): (Decimal(h), Decimal(r)) for p, w, h, r in cur.fetchall()}  # type: ignore[arg-type]
    for _, _, product, warehouse, part in shipped:
        on_hand, reserved = levels[(product, warehouse)]
        assert part <= reserved <= on_hand
        levels[(product, warehouse)] = (on_hand - part, reserved - part)
    # Everything left is shipped, so every reservation is consumed.
    cur.execute(
        "UPDATE crmkit_reservation AS r SET shipped = r.shipped + v.q, status = 'consumed', "
        "updated_at = %s, version = r.version + 1 FROM (VALUES "
        + ", ".join("(%s, %s::numeric)" for _ in shipped)
        + ") AS v(id, q) WHERE r.tenant_id = %s AND r.id = v.id",
        [now, *[x for rid, _, _, _, part in shipped for x in (rid, part)], tenant],
    )
    cur.execute(
        "INSERT INTO crmkit_stock_movement (tenant_id, id, product_id, warehouse_id, bucket, "
        "quantity, kind, document_type, document_id, reason, request_key, line, occurred_at, "
        "version) VALUES "
        + ", ".join(
            "(%s, %s, %s, %s, 'sellable', %s, 'delivery', 'delivery_note', %s, NULL, %s, %s, %s, 1)"
            for _ in shipped
        ),
        [
            x
            for n, (_, _, product, warehouse, part) in enumerate(shipped, 1)
            for x in (tenant, uuid.uuid4().hex, product, warehouse, -part, note_id, key, n, now)
        ],
    )
    cur.execute(
        "UPDATE crmkit_stock_level AS l SET on_hand = v.h, reserved = v.r, updated_at = %s, "
        "version = l.version + 1 FROM (VALUES "
        + ", ".join("(%s, %s, %s::numeric, %s::numeric)" for _ in levels)
        + ") AS v(p, w, h, r) "
        "WHERE l.tenant_id = %s AND l.product_id = v.p AND l.warehouse_id = v.w",
        [now, *[x for (p, w), (h, r) in levels.items() for x in (p, w, h, r)], tenant],
    )
    return shipped


def _events(  # noqa: PLR0917 -- one private step of the transaction
    cur: Cursor,
    tenant: str,
    order_id: str,
    order_number: str,
    now: datetime,
    number: str,
    by_line: dict[str, Decimal],
    posted: Decimal,
) -> None:
    """The outbox events of a complete delivery, at the next three positions."""
    cur.execute(
        "UPDATE crmkit_counter SET value = value + 3 WHERE tenant_id = %s "
        "AND series = 'outbox' RETURNING value",
        (tenant,),
    )
    counted = cur.fetchone()
    assert counted is not None
    last = int(counted[0])  # type: ignore[call-overload]
    base = {"order_id": order_id, "number": order_number, "status": "delivered"}
    shipped = {line: _plain(q) for line, q in sorted(by_line.items())}
    events: list[tuple[str, dict[str, object]]] = [
        ("sales_order.delivered", {**base, "delivery_note": number, "lines": shipped}),
        ("sales_order.funds_posted", {**base, "amount": str(posted)}),
        ("sales_order.delivered", {**base, "complete": True}),
    ]
    cur.execute(
        "INSERT INTO crmkit_outbox_event (tenant_id, position, name, aggregate_id, payload, "
        "occurred_at) VALUES " + ", ".join("(%s, %s, %s, %s, %s, %s)" for _ in events),
        [
            x
            for n, (name, payload) in enumerate(events)
            for x in (tenant, last - 2 + n, name, order_id, json.dumps(payload | _V1), now)
        ],
    )


def _plain(quantity: Decimal) -> str:
    """A quantity as crmkit writes it: ``2`` rather than the column's ``2.0000``."""
    whole = quantity.to_integral_value()
    return str(whole if quantity == whole else quantity.normalize())
