"""The fixed hand-written baseline of an order confirm on PostgreSQL, with psycopg.

It reads, locks and writes the same rows as crmkit's confirm (request key, order, account,
products, stock levels; one hold and its journal entry, the account, one reservation per
line and warehouse, the stock levels, the order, the outbox counter and three events, the
request key) in the fewest round trips a careful engineer would use: one statement per
table, multi-row where several rows change. It pays from prepayment only and allocates by
warehouse priority, which is what the benchmark's orders need. Keep it fixed: the
performance work measures crmkit against it.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import psycopg

CENT = Decimal("0.01")
BASELINE_STATEMENTS = 14
"""Statements per confirm (between BEGIN and COMMIT)."""


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def baseline_confirm(url: str, tenant: str, order_ids: list[str], start_at: float) -> list[float]:
    """Confirm each draft order by hand; the latencies in seconds."""
    latencies = []
    with psycopg.connect(_conninfo(url)) as connection:
        time.sleep(max(0.0, start_at - time.time()))
        for order_id in order_ids:
            started = time.perf_counter()
            _confirm(connection, tenant, order_id, uuid.uuid4().hex)
            latencies.append(time.perf_counter() - started)
    return latencies


def _confirm(  # noqa: PLR0915 -- the baseline is one transaction, written out on purpose
    connection: psycopg.Connection[tuple[object, ...]], tenant: str, order_id: str, key: str
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with connection.transaction(), connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM crmkit_processed_request WHERE tenant_id = %s AND key = %s",
            (tenant, key),
        )
        if cur.fetchone() is not None:
            return
        cur.execute(
            "SELECT body, account_id, currency FROM crmkit_sales_order "
            "WHERE tenant_id = %s AND id = %s FOR UPDATE",
            (tenant, order_id),
        )
        row = cur.fetchone()
        assert row is not None
        body = json.loads(str(row[0]))
        lines = [
            (
                line["line_no"],
                line["product_id"],
                Decimal(line["quantity"]),
                Decimal(line["resolution"]["unit_price"]),
                Decimal(line["tax_rate"]),
            )
            for line in body["lines"]
        ]
        cur.execute(
            "SELECT id, prepayment_balance, prepayment_held, last_seq "
            "FROM crmkit_customer_account "
            "WHERE tenant_id = %s AND customer_id = %s AND currency = %s FOR UPDATE",
            (tenant, row[1], row[2]),
        )
        account = cur.fetchone()
        assert account is not None
        account_id, balance, held, last_seq = account
        products = [p for _, p, _, _, _ in lines]
        cur.execute(
            "SELECT id FROM crmkit_product WHERE tenant_id = %s AND id = ANY(%s) AND active",
            (tenant, products),
        )
        assert len(cur.fetchall()) == len(set(products))
        cur.execute(
            "SELECT l.product_id, l.warehouse_id, l.on_hand - l.reserved "
            "FROM crmkit_stock_level l JOIN crmkit_warehouse w "
            "ON w.tenant_id = l.tenant_id AND w.id = l.warehouse_id "
            "WHERE l.tenant_id = %s AND l.product_id = ANY(%s) AND w.active "
            "ORDER BY l.product_id, l.warehouse_id FOR UPDATE OF l",
            (tenant, products),
        )
        stock: dict[str, list[tuple[str, Decimal]]] = {}
        for product_id, warehouse_id, available in cur.fetchall():
            stock.setdefault(str(product_id), []).append((str(warehouse_id), Decimal(available)))  # type: ignore[arg-type]
        total = Decimal(0)
        for _, _, quantity, price, rate in lines:
            net = (quantity * price).quantize(CENT, ROUND_HALF_UP)
            total += net + (net * rate).quantize(CENT, ROUND_HALF_UP)
        assert Decimal(balance) - Decimal(held) >= total  # type: ignore[arg-type]
        taken: list[tuple[str, str, str, Decimal]] = []
        for line_no, product_id, quantity, _, _ in lines:
            left = quantity
            for warehouse_id, available in stock[product_id]:
                part = min(left, available)
                if part > 0:
                    taken.append((str(line_no), product_id, warehouse_id, part))
                    left -= part
            assert left == 0
        hold_id = uuid.uuid4().hex
        seq = int(last_seq) + 1  # type: ignore[call-overload]
        cur.execute(
            "INSERT INTO crmkit_account_hold (tenant_id, id, account_id, order_id, fund, amount, "
            "posted, voided, refunded, shares, status, expires_at, created_at, updated_at, "
            "version) VALUES (%s, %s, %s, %s, 'prepayment', %s, 0, 0, 0, '[]', 'pending', "
            "NULL, %s, %s, 1)",
            (tenant, hold_id, account_id, order_id, total, now, now),
        )
        new_held = Decimal(held) + total  # type: ignore[arg-type]
        cur.execute(
            "INSERT INTO crmkit_journal_entry (tenant_id, account_id, seq, key, kind, fund, "
            "balance_delta, held_delta, balance_after, held_after, grant_id, hold_id, "
            "order_id, created_at, version) VALUES (%s, %s, %s, %s, 'hold', 'prepayment', 0, "
            "%s, %s, %s, NULL, %s, %s, %s, 1)",
            (tenant, account_id, seq, key, total, balance, new_held, hold_id, order_id, now),
        )
        cur.execute(
            "UPDATE crmkit_customer_account SET prepayment_held = %s, last_seq = %s, "
            "updated_at = %s, version = version + 1 WHERE tenant_id = %s AND id = %s",
            (new_held, seq, now, tenant, account_id),
        )
        values: list[str] = []
        params: list[object] = []
        for line_id, product_id, warehouse_id, part in taken:
            values.append("(%s, %s, %s, %s, %s, %s, %s, 0, 0, 'open', NULL, %s, %s, 1)")
            params += [tenant, uuid.uuid4().hex, order_id, line_id, product_id, warehouse_id]
            params += [part, now, now]
        cur.execute(
            "INSERT INTO crmkit_reservation (tenant_id, id, order_id, line_id, product_id, "
            "warehouse_id, quantity, shipped, released, status, expires_at, created_at, "
            "updated_at, version) VALUES " + ", ".join(values),
            params,
        )
        rows = ", ".join("(%s, %s, %s::numeric)" for _ in taken)
        cur.execute(
            "UPDATE crmkit_stock_level AS l SET reserved = l.reserved + v.q, updated_at = %s, "
            "version = l.version + 1 FROM (VALUES " + rows + ") AS v(p, w, q) "
            "WHERE l.tenant_id = %s AND l.product_id = v.p AND l.warehouse_id = v.w",
            [now, *[x for _, p, w, q in taken for x in (p, w, q)], tenant],
        )
        body["status"] = "confirmed"
        cur.execute(
            "UPDATE crmkit_sales_order SET status = 'confirmed', body = %s, updated_at = %s, "
            "version = version + 1 WHERE tenant_id = %s AND id = %s",
            (json.dumps(body), now, tenant, order_id),
        )
        cur.execute(
            "UPDATE crmkit_counter SET value = value + 3 WHERE tenant_id = %s "
            "AND series = 'outbox' RETURNING value",
            (tenant,),
        )
        counted = cur.fetchone()
        assert counted is not None
        last = int(counted[0])  # type: ignore[call-overload]
        names = ["sales_order.funds_held", "sales_order.stock_reserved", "sales_order.confirmed"]
        event = json.dumps({"order_id": order_id, "schema_version": 1})
        cur.execute(
            "INSERT INTO crmkit_outbox_event (tenant_id, position, name, aggregate_id, payload, "
            "occurred_at) VALUES (%s, %s, %s, %s, %s, %s), (%s, %s, %s, %s, %s, %s), "
            "(%s, %s, %s, %s, %s, %s)",
            [
                x
                for n, name in enumerate(names)
                for x in (tenant, last - 2 + n, name, order_id, event, now)
            ],
        )
        cur.execute(
            "INSERT INTO crmkit_processed_request (tenant_id, key, operation, fingerprint, "
            "result, created_at, version) VALUES (%s, %s, 'order.confirm', %s, %s, %s, 1)",
            (tenant, key, key[:64], json.dumps({"order": order_id}), now),
        )
