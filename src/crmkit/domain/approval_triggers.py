"""What approval flows can be triggered by, and the values their conditions read.

Each trigger is a (record type, action) pair with the fields its conditions may name:

* ``("sales_order", "confirm")``: an order being confirmed (:data:`ORDER_FIELDS`: its
  total, the document and highest line discount, the credit it would use and the share of
  the credit limit that is, ...);
* ``("refund", "request")``: a refund being requested (the refund's declared fields);
* ``("invoice_request", "request")``: an invoice or credit-note request (its fields).
"""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.condition_json import condition_fields
from crmkit.domain.conditions import Condition, InvalidCondition, check_condition
from crmkit.domain.receivables.invoices import INVOICE_REQUESTS
from crmkit.domain.receivables.refunds import REFUNDS
from crmkit.domain.records import FieldKind
from crmkit.domain.sales_order import SalesOrder

ORDER_CONFIRM = ("sales_order", "confirm")
REFUND_REQUEST = ("refund", "request")
INVOICE_REQUEST = ("invoice_request", "request")

ORDER_FIELDS: dict[str, FieldKind] = {
    "number": FieldKind.TEXT,
    "account_id": FieldKind.TEXT,
    "currency": FieldKind.TEXT,
    "total": FieldKind.DECIMAL,
    "discount_percent": FieldKind.DECIMAL,
    "max_line_discount_percent": FieldKind.DECIMAL,
    "credit_used": FieldKind.DECIMAL,
    "credit_limit": FieldKind.DECIMAL,
    "credit_used_percent": FieldKind.DECIMAL,
    "from_quote": FieldKind.BOOLEAN,
    "quote_reasons": FieldKind.INTEGER,
    "line_count": FieldKind.INTEGER,
}
"""The values an order-confirm condition reads (``credit_used_percent``: the credit the
order would use as a percentage of the account's credit limit; 0 without a limit)."""

TRIGGERS: dict[tuple[str, str], dict[str, FieldKind]] = {
    ORDER_CONFIRM: ORDER_FIELDS,
    REFUND_REQUEST: condition_fields(REFUNDS),
    INVOICE_REQUEST: condition_fields(INVOICE_REQUESTS),
}


def trigger_fields(record_type: str, action: str) -> dict[str, FieldKind]:
    """The fields conditions of the trigger may name.

    Raises:
        InvalidCondition: no such trigger.
    """
    found = TRIGGERS.get((record_type, action))
    if found is None:
        known = ", ".join(f"{t}/{a}" for t, a in TRIGGERS)
        raise InvalidCondition(
            f"approval flows cannot be triggered by {record_type!r}/{action!r}; use one of "
            f"{known}.",
            field="record_type",
        )
    return found


def check_trigger(record_type: str, action: str, condition: Condition) -> None:
    """Check ``condition`` against the trigger's fields.

    Raises:
        InvalidCondition: an unknown trigger, an unknown field or a value of the wrong type.
    """
    check_condition(condition, trigger_fields(record_type, action))


def order_values(
    order: SalesOrder, credit_used: Decimal, credit_limit: Decimal
) -> dict[str, object]:
    """What an order-confirm condition reads of ``order`` (which would use ``credit_used``
    of ``credit_limit``)."""
    share = credit_used * 100 / credit_limit if credit_limit > 0 else Decimal(0)
    return {
        "number": order.number,
        "account_id": order.account_id,
        "currency": order.currency,
        "total": order.totals().gross,
        "discount_percent": order.discount_percent,
        "max_line_discount_percent": max(
            [order.discount_percent, *(line.discount_percent for line in order.lines)]
        ),
        "credit_used": credit_used,
        "credit_limit": credit_limit,
        "credit_used_percent": share,
        "from_quote": order.quote_id is not None,
        "quote_reasons": len(order.approval_reasons),
        "line_count": len(order.lines),
    }
