"""Every error crmkit defines, frozen: its bases, code, retryable flag, message and details.

Each sample builds one error with fixed arguments; what it shows (``str``, ``args``, the
details and their order, ``field``) and how it survives pickling must not change unless an
error's text or contract is changed on purpose.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest

import crmkit.errors as every
from crmkit.domain.price_list import PriceListId
from crmkit.domain.pricing_terms import ListOutcome, ListVerdict
from crmkit.domain.quote_terms import QuoteStatus
from crmkit.domain.sales_order import SalesOrder, SalesOrderLine, SalesOrderStatus
from crmkit.errors import CrmkitError

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
ORDER = cast(SalesOrder, SimpleNamespace(number="SO-7", id="o-1", status=SalesOrderStatus.DRAFT))
NEW_ORDER = cast(SalesOrder, SimpleNamespace(number=None, id="o-2", status=SalesOrderStatus.CLOSED))
LINE = cast(
    SalesOrderLine,
    SimpleNamespace(line_no=2, sku="TEA-01", to_deliver=Decimal("3.0"), returnable=Decimal("1.50")),
)
VERDICTS = tuple(
    ListVerdict(PriceListId(f"pl-{n}"), f"List {n}", n, ListOutcome.INACTIVE, f"reason {n}")
    for n in range(5)
)
LONG = "x" * 80

SAMPLES: dict[str, Callable[[], CrmkitError]] = {
    "CrmkitError": lambda: every.CrmkitError("plain message", field="name", extra=1),
    "ConfigurationError": lambda: every.ConfigurationError("bad URL"),
    "ValidationError": lambda: every.ValidationError("too long", field="name"),
    "StorageError": lambda: every.StorageError("disk full", cause="x"),
    "StorageUnavailable": lambda: every.StorageUnavailable("gone away"),
    "WrongTenant": lambda: every.WrongTenant("Product", "p-1", "a", "b"),
    "FloatNotAllowed": lambda: every.FloatNotAllowed("price", 0.1),
    "CurrencyMismatch": lambda: every.CurrencyMismatch("CNY", "USD", "add"),
    "UnitMismatch": lambda: every.UnitMismatch("box", "tin", "subtract"),
    "NotFound": lambda: every.NotFound("Product", "sku", LONG, "acme"),
    "DuplicateRecord": lambda: every.DuplicateRecord("Product", "sku", "TEA-01", "acme"),
    "ConcurrencyConflict": lambda: every.ConcurrencyConflict("Product", 7, "acme", "stale"),
    "InvalidStateTransition": lambda: every.InvalidStateTransition("Quote", "q-1", "sent", "edit"),
    "DuplicateRequest": lambda: every.DuplicateRequest("k-1", "acme", "other amount"),
    "InsufficientFunds": lambda: every.InsufficientFunds(
        "acc-1", "order SO-1", currency="CNY", shortfall={"prepayment": Decimal("5.00")},
        total=Decimal("5.00"), explanation="prepayment only.", customer_id="DEALER-1",
    ),
    "AccountCurrencyMismatch": lambda: every.AccountCurrencyMismatch("acc-1", "CNY", "USD", "x"),
    "CreditLimitBelowUsage": lambda: every.CreditLimitBelowUsage(
        "acc-1", Decimal("10"), Decimal("8"), Decimal("4")
    ),
    "AmountExceedsHold": lambda: every.AmountExceedsHold(
        "h-1", "post", Decimal("9.00"), Decimal("4.00")
    ),
    "HoldResolved": lambda: every.HoldResolved("h-1", "void"),
    "RepaymentExceedsCreditUsed": lambda: every.RepaymentExceedsCreditUsed(
        "acc-1", Decimal("50"), Decimal("20")
    ),
    "OrderHasPendingHolds": lambda: every.OrderHasPendingHolds("acc-1", "SO-1"),
    "HoldExpired": lambda: every.HoldExpired("h-1", AT),
    "NotAnApprover": lambda: every.NotAnApprover("not yours", field="user"),
    "SelfApproval": lambda: every.SelfApproval("own record"),
    "NoApprover": lambda: every.NoApprover("nobody"),
    "ApprovalPending": lambda: every.ApprovalPending("Quote", "Q-1", "i-1"),
    "InvalidCondition": lambda: every.InvalidCondition("unknown field", field="colour"),
    "PoolRuleBroken": lambda: every.PoolRuleBroken("no", pool="p"),
    "ClaimLimitReached": lambda: every.ClaimLimitReached("east", "ann", 5),
    "CoolingDown": lambda: every.CoolingDown("east", "lead L-1", "ann", AT),
    "NotInPool": lambda: every.NotInPool("east", "lead L-1", "owned by bob"),
    "NotPoolMember": lambda: every.NotPoolMember("east", "ann"),
    "NotOwner": lambda: every.NotOwner("east", "lead L-1", "ann"),
    "InactiveCustomer": lambda: every.InactiveCustomer("DEALER-1"),
    "DuplicateCustomer": lambda: every.DuplicateCustomer("New Co", "Old Co", "phone"),
    "VisitMissed": lambda: every.VisitMissed("V-1", AT),
    "OutsideRadius": lambda: every.OutsideRadius("V-1", "DEALER-1", 900, 200),
    "StepOutOfOrder": lambda: every.StepOutOfOrder("V-1", "photo", "arrive"),
    "StepInvalid": lambda: every.StepInvalid("bad value", field="count"),
    "StepsMissing": lambda: every.StepsMissing("V-1", ["photo", "count"]),
    "ReopenWindowClosed": lambda: every.ReopenWindowClosed("WO-1", AT),
    "InsufficientStock": lambda: every.InsufficientStock(
        "p-1", Decimal("100.000"), Decimal("40.0"), "acme", sku="TEA-01"
    ),
    "OverShipment": lambda: every.OverShipment("r-1", Decimal("5.000"), Decimal("2.50")),
    "OverReturn": lambda: every.OverReturn("dn-1", 3, Decimal("5.0"), Decimal("2")),
    "BelowReserved": lambda: every.BelowReserved(
        "p-1", "w-1", Decimal("1.0"), Decimal("3.000"), "the count"
    ),
    "NegativeStock": lambda: every.NegativeStock("p-1", "w-1", "on hand", Decimal("-2.00")),
    "OrderTransitionNotAllowed": lambda: every.OrderTransitionNotAllowed(ORDER, "deliver"),
    "EmptyOrder": lambda: every.EmptyOrder("no lines", field="lines"),
    "DeliveryExceedsOrdered": lambda: every.DeliveryExceedsOrdered(ORDER, LINE, Decimal("4")),
    "ReturnExceedsDelivered": lambda: every.ReturnExceedsDelivered(
        NEW_ORDER, LINE, Decimal("2")
    ),
    "ReservationExpired": lambda: every.ReservationExpired(ORDER, 2, AT),
    "NoPriceFound": lambda: every.NoPriceFound(
        "p-1", account_id="DEALER-1", quantity=Decimal("12.50"), at=AT, currency="CNY",
        candidates=VERDICTS, sku="TEA-01",
    ),
    "ProcessStepRefused": lambda: every.ProcessStepRefused("sale", "o-1", "won", "open tasks"),
    "ConversionExceedsRemaining": lambda: every.ConversionExceedsRemaining(
        "q-1", 1, Decimal("5"), Decimal("2")
    ),
    "QuoteExpired": lambda: every.QuoteExpired("q-1", AT, AT, "accept"),
    "QuoteTransitionNotAllowed": lambda: every.QuoteTransitionNotAllowed(
        "q-1", QuoteStatus.REJECTED, "send"
    ),
    "AllocationExceedsOpenAmount": lambda: every.AllocationExceedsOpenAmount(
        "SO-1", Decimal("9.00"), Decimal("5.00")
    ),
    "AllocationExceedsPayment": lambda: every.AllocationExceedsPayment(
        "PAY-1", Decimal("9.00"), Decimal("5.00")
    ),
    "PaymentCurrencyMismatch": lambda: every.PaymentCurrencyMismatch(
        "PAY-1", "CNY", "SO-1", "USD"
    ),
    "PaymentPayerMismatch": lambda: every.PaymentPayerMismatch("PAY-1", "DEALER-1", "SO-1"),
    "PaymentReversed": lambda: every.PaymentReversed("PAY-1", "allocate"),
    "RefundExceedsReceived": lambda: every.RefundExceedsReceived(
        "SO-1", Decimal("9.00"), Decimal("5.00")
    ),
    "InvoiceExceedsInvoiceable": lambda: every.InvoiceExceedsInvoiceable(
        "SO-1", Decimal("9.00"), Decimal("5.00")
    ),
    "ContractAmountExceeded": lambda: every.ContractAmountExceeded(
        "C-1", Decimal("9.00"), Decimal("5.00")
    ),
}  # fmt: skip


def shown(error: CrmkitError) -> dict[str, Any]:
    """Everything a caller can see of ``error``, as plain comparable text."""
    return {
        "bases": [cls.__name__ for cls in type(error).__mro__],
        "code": error.code,
        "retryable": error.retryable,
        "str": str(error),
        "args": repr(error.args),
        "details": repr(error.details),
        "field": error.field,
    }


EXPECTED: dict[str, dict[str, Any]] = {
    "AccountCurrencyMismatch": {
        "bases": [
            "AccountCurrencyMismatch",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "account_currency_mismatch",
        "retryable": False,
        "str": "[account_currency_mismatch] customer account 'acc-1' keeps "
        "CNY, but x is in USD; open an account in USD for this "
        "customer or convert the amount first. Nothing was changed.",
        "args": "(\"customer account 'acc-1' keeps CNY, but x is in USD; "
        "open an account in USD for this customer or convert the "
        'amount first. Nothing was changed.",)',
        "details": "{'account_id': 'acc-1', 'account_currency': 'CNY', 'given': 'USD'}",
        "field": None,
    },
    "AllocationExceedsOpenAmount": {
        "bases": [
            "AllocationExceedsOpenAmount",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "allocation_exceeds_open_amount",
        "retryable": False,
        "str": "[allocation_exceeds_open_amount] order SO-1 has 5.00 "
        "open; an allocation of 9.00 is more. Allocate at most the "
        "open amount and credit the rest to the prepayment fund.",
        "args": "('order SO-1 has 5.00 open; an allocation of 9.00 is "
        "more. Allocate at most the open amount and credit the "
        "rest to the prepayment fund.',)",
        "details": "{'order': 'SO-1'}",
        "field": None,
    },
    "AllocationExceedsPayment": {
        "bases": [
            "AllocationExceedsPayment",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "allocation_exceeds_payment",
        "retryable": False,
        "str": "[allocation_exceeds_payment] payment 'PAY-1' has 5.00 left "
        "to allocate; 9.00 is more. Allocate at most what is left.",
        "args": "(\"payment 'PAY-1' has 5.00 left to allocate; 9.00 is "
        'more. Allocate at most what is left.",)',
        "details": "{'payment': 'PAY-1'}",
        "field": None,
    },
    "AmountExceedsHold": {
        "bases": [
            "AmountExceedsHold",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "amount_exceeds_hold",
        "retryable": False,
        "str": "[amount_exceeds_hold] cannot post 9.00 on hold 'h-1': only 4.00 is "
        "left for it; lower the amount. Nothing was changed.",
        "args": "(\"cannot post 9.00 on hold 'h-1': only 4.00 is left for it; "
        'lower the amount. Nothing was changed.",)',
        "details": "{'hold_id': 'h-1', 'action': 'post', 'amount': Decimal('9.00'), "
        "'left': Decimal('4.00')}",
        "field": "amount",
    },
    "ApprovalPending": {
        "bases": ["ApprovalPending", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "approval_pending",
        "retryable": False,
        "str": "[approval_pending] Quote Q-1 waits for approval flow instance i-1; "
        "its approvers decide it with ApprovalService.approve or reject.",
        "args": "('Quote Q-1 waits for approval flow instance i-1; its approvers "
        "decide it with ApprovalService.approve or reject.',)",
        "details": "{'instance_id': 'i-1'}",
        "field": None,
    },
    "BelowReserved": {
        "bases": [
            "BelowReserved",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "below_reserved",
        "retryable": False,
        "str": "[below_reserved] the count would leave product 'p-1' in warehouse 'w-1' "
        "with 1 on hand while 3 is reserved; release reservations first (or "
        "confirm the count with release_reservations=True).",
        "args": "(\"the count would leave product 'p-1' in warehouse 'w-1' with 1 on "
        "hand while 3 is reserved; release reservations first (or confirm the "
        'count with release_reservations=True).",)',
        "details": "{'product_id': 'p-1', 'warehouse_id': 'w-1', 'on_hand': "
        "Decimal('1.0'), 'reserved': Decimal('3.000')}",
        "field": None,
    },
    "ClaimLimitReached": {
        "bases": [
            "ClaimLimitReached",
            "PoolRuleBroken",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "claim_limit_reached",
        "retryable": False,
        "str": "[claim_limit_reached] user 'ann' already owns 5 records from pool "
        "'east', its limit; return one first or ask a manager to raise the "
        "limit.",
        "args": "(\"user 'ann' already owns 5 records from pool 'east', its "
        'limit; return one first or ask a manager to raise the limit.",)',
        "details": "{'pool': 'east', 'user': 'ann', 'limit': 5}",
        "field": None,
    },
    "ConcurrencyConflict": {
        "bases": ["ConcurrencyConflict", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "concurrency_conflict",
        "retryable": True,
        "str": "[concurrency_conflict] Product 7 in tenant 'acme' could not be "
        "written: stale. Another writer changed it first; reload it and "
        "apply the change again.",
        "args": "(\"Product 7 in tenant 'acme' could not be written: stale. "
        "Another writer changed it first; reload it and apply the change "
        'again.",)',
        "details": "{'entity': 'Product', 'record_id': 7, 'tenant_id': 'acme', 'reason': 'stale'}",
        "field": None,
    },
    "ConfigurationError": {
        "bases": ["ConfigurationError", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "configuration",
        "retryable": False,
        "str": "[configuration] bad URL",
        "args": "('bad URL',)",
        "details": "{}",
        "field": None,
    },
    "ContractAmountExceeded": {
        "bases": [
            "ContractAmountExceeded",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "contract_amount_exceeded",
        "retryable": False,
        "str": "[contract_amount_exceeded] contract C-1 has 5.00 left of its "
        "amount; an order of 9.00 does not fit. Amend the contract or "
        "place the order outside it.",
        "args": "('contract C-1 has 5.00 left of its amount; an order of 9.00 "
        "does not fit. Amend the contract or place the order outside "
        "it.',)",
        "details": "{'contract': 'C-1'}",
        "field": None,
    },
    "ConversionExceedsRemaining": {
        "bases": [
            "ConversionExceedsRemaining",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "quantity_exceeds_remaining",
        "retryable": False,
        "str": "[quantity_exceeds_remaining] quote 'q-1' line 1: 5 was "
        "asked for but only 2 remains unconverted; ask for at most "
        "2.",
        "args": "(\"quote 'q-1' line 1: 5 was asked for but only 2 "
        'remains unconverted; ask for at most 2.",)',
        "details": "{'quote_id': 'q-1', 'line_no': 1, 'asked': "
        "Decimal('5'), 'remaining': Decimal('2')}",
        "field": "quantities",
    },
    "CoolingDown": {
        "bases": [
            "CoolingDown",
            "PoolRuleBroken",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "cool_down",
        "retryable": False,
        "str": "[cool_down] user 'ann' returned lead L-1 to pool 'east' and may claim it "
        "back from 2026-03-04T05:06:07+00:00 on; wait or let another rep claim it.",
        "args": "(\"user 'ann' returned lead L-1 to pool 'east' and may claim it back "
        'from 2026-03-04T05:06:07+00:00 on; wait or let another rep claim it.",)',
        "details": "{'pool': 'east', 'record': 'lead L-1', 'user': 'ann', 'until': "
        "'2026-03-04T05:06:07+00:00'}",
        "field": None,
    },
    "CreditLimitBelowUsage": {
        "bases": [
            "CreditLimitBelowUsage",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "credit_limit_below_usage",
        "retryable": False,
        "str": "[credit_limit_below_usage] customer account 'acc-1': a credit "
        "limit of 10 is below the credit in use (8 used + 4 held); have "
        "the customer repay or void holds first. Nothing was changed.",
        "args": "(\"customer account 'acc-1': a credit limit of 10 is below "
        "the credit in use (8 used + 4 held); have the customer repay "
        'or void holds first. Nothing was changed.",)',
        "details": "{'account_id': 'acc-1', 'limit': Decimal('10'), 'used': "
        "Decimal('8'), 'held': Decimal('4')}",
        "field": "limit",
    },
    "CrmkitError": {
        "bases": ["CrmkitError", "Exception", "BaseException", "object"],
        "code": "crmkit_error",
        "retryable": False,
        "str": "[crmkit_error] plain message",
        "args": "('plain message',)",
        "details": "{'field': 'name', 'extra': 1}",
        "field": "name",
    },
    "CurrencyMismatch": {
        "bases": [
            "CurrencyMismatch",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "currency_mismatch",
        "retryable": False,
        "str": "[currency_mismatch] cannot add CNY and USD: the currencies differ. "
        "Convert one amount explicitly before combining them.",
        "args": "('cannot add CNY and USD: the currencies differ. Convert one amount "
        "explicitly before combining them.',)",
        "details": "{'left': 'CNY', 'right': 'USD', 'operation': 'add'}",
        "field": None,
    },
    "DeliveryExceedsOrdered": {
        "bases": [
            "DeliveryExceedsOrdered",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "delivery_exceeds_ordered",
        "retryable": False,
        "str": "[delivery_exceeds_ordered] order SO-7 line 2 (TEA-01): 3.0 "
        "left to deliver, cannot deliver 4; deliver at most that.",
        "args": "('order SO-7 line 2 (TEA-01): 3.0 left to deliver, cannot "
        "deliver 4; deliver at most that.',)",
        "details": "{'order': 'SO-7', 'line_no': 2, 'asked': Decimal('4'), 'left': Decimal('3.0')}",
        "field": "quantities",
    },
    "DuplicateCustomer": {
        "bases": [
            "DuplicateCustomer",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "duplicate_customer",
        "retryable": False,
        "str": "[duplicate_customer] customer 'New Co' matches existing customer "
        "'Old Co' on phone; use the existing customer instead of creating a "
        "twin.",
        "args": "(\"customer 'New Co' matches existing customer 'Old Co' on "
        'phone; use the existing customer instead of creating a twin.",)',
        "details": "{'existing': 'Old Co', 'matched_on': 'phone'}",
        "field": None,
    },
    "DuplicateRecord": {
        "bases": ["DuplicateRecord", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "duplicate",
        "retryable": False,
        "str": "[duplicate] Product with sku 'TEA-01' already exists in tenant "
        "'acme'; choose another sku or change the existing product.",
        "args": "(\"Product with sku 'TEA-01' already exists in tenant 'acme'; "
        'choose another sku or change the existing product.",)',
        "details": "{'field': 'sku', 'entity': 'Product', 'key': 'sku', 'value': "
        "'TEA-01', 'tenant_id': 'acme'}",
        "field": "sku",
    },
    "DuplicateRequest": {
        "bases": ["DuplicateRequest", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "duplicate_request",
        "retryable": False,
        "str": "[duplicate_request] request key 'k-1' in tenant 'acme' was already "
        "used for a different request (other amount); use a new key for a new "
        "request.",
        "args": "(\"request key 'k-1' in tenant 'acme' was already used for a "
        "different request (other amount); use a new key for a new "
        'request.",)',
        "details": "{'key': 'k-1', 'tenant_id': 'acme', 'difference': 'other amount'}",
        "field": None,
    },
    "EmptyOrder": {
        "bases": [
            "EmptyOrder",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "empty_order",
        "retryable": False,
        "str": "[empty_order] no lines",
        "args": "('no lines',)",
        "details": "{'field': 'lines'}",
        "field": "lines",
    },
    "FloatNotAllowed": {
        "bases": [
            "FloatNotAllowed",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "float_not_allowed",
        "retryable": False,
        "str": "[float_not_allowed] price was given the float 0.1; floats cannot "
        "represent money or quantities exactly. Pass a decimal.Decimal, an int "
        "or a string such as '0.1' instead.",
        "args": '("price was given the float 0.1; floats cannot represent money or '
        "quantities exactly. Pass a decimal.Decimal, an int or a string such "
        "as '0.1' instead.\",)",
        "details": "{'what': 'price', 'value': 0.1}",
        "field": None,
    },
    "HoldExpired": {
        "bases": [
            "HoldExpired",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "hold_expired",
        "retryable": False,
        "str": "[hold_expired] cannot post Hold 'h-1': it is expired at 2026-03-04 "
        "05:06:07+00:00. An expired hold can only be voided (expire_holds or "
        "void_hold); place a new hold to go on. Nothing was changed.",
        "args": "(\"cannot post Hold 'h-1': it is expired at 2026-03-04 05:06:07+00:00.\",)",
        "details": "{'entity': 'Hold', 'record_id': 'h-1', 'state': 'expired at "
        "2026-03-04 05:06:07+00:00', 'action': 'post'}",
        "field": None,
    },
    "HoldResolved": {
        "bases": [
            "HoldResolved",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "hold_resolved",
        "retryable": False,
        "str": "[hold_resolved] cannot void Hold 'h-1': it is resolved (fully posted or "
        "voided). A hold resolves at most once; nothing was changed.",
        "args": "(\"cannot void Hold 'h-1': it is resolved (fully posted or voided).\",)",
        "details": "{'entity': 'Hold', 'record_id': 'h-1', 'state': 'resolved (fully "
        "posted or voided)', 'action': 'void'}",
        "field": None,
    },
    "InactiveCustomer": {
        "bases": ["InactiveCustomer", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "inactive_customer",
        "retryable": False,
        "str": "[inactive_customer] customer 'DEALER-1' is inactive; reactivate it "
        "before quoting or ordering.",
        "args": "(\"customer 'DEALER-1' is inactive; reactivate it before quoting or ordering.\",)",
        "details": "{'customer': 'DEALER-1'}",
        "field": None,
    },
    "InsufficientFunds": {
        "bases": [
            "InsufficientFunds",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "insufficient_funds",
        "retryable": False,
        "str": "[insufficient_funds] the account of customer 'DEALER-1' cannot pay "
        "order SO-1: 5.00 CNY remain unpaid by the funds its deduction "
        "policy allows (prepayment only). Deposit or grant more, raise the "
        "credit limit, or lower the amount; nothing was changed.",
        "args": "(\"the account of customer 'DEALER-1' cannot pay order SO-1: 5.00 "
        "CNY remain unpaid by the funds its deduction policy allows "
        "(prepayment only). Deposit or grant more, raise the credit limit, "
        'or lower the amount; nothing was changed.",)',
        "details": "{'field': 'amount', 'customer_id': 'DEALER-1', 'account_id': "
        "'acc-1', 'currency': 'CNY', 'shortfall': {'prepayment': "
        "Decimal('5.00')}, 'total': Decimal('5.00')}",
        "field": "amount",
    },
    "InsufficientStock": {
        "bases": [
            "InsufficientStock",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "insufficient_stock",
        "retryable": False,
        "str": "[insufficient_stock] SKU 'TEA-01' in tenant 'acme': 100 requested "
        "but only 40 available in the warehouses the strategy allows; "
        "reserve less, use the partial policy, or receive stock first.",
        "args": "(\"SKU 'TEA-01' in tenant 'acme': 100 requested but only 40 "
        "available in the warehouses the strategy allows; reserve less, use "
        'the partial policy, or receive stock first.",)',
        "details": "{'field': 'quantity', 'sku': 'TEA-01', 'product_id': 'p-1', "
        "'requested': Decimal('100.000'), 'available': Decimal('40.0'), "
        "'tenant_id': 'acme'}",
        "field": "quantity",
    },
    "InvalidCondition": {
        "bases": [
            "InvalidCondition",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "invalid_condition",
        "retryable": False,
        "str": "[invalid_condition] unknown field",
        "args": "('unknown field',)",
        "details": "{'field': 'colour'}",
        "field": "colour",
    },
    "InvalidStateTransition": {
        "bases": ["InvalidStateTransition", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "invalid_state_transition",
        "retryable": False,
        "str": "[invalid_state_transition] cannot edit Quote 'q-1': it is sent.",
        "args": "(\"cannot edit Quote 'q-1': it is sent.\",)",
        "details": "{'entity': 'Quote', 'record_id': 'q-1', 'state': 'sent', 'action': 'edit'}",
        "field": None,
    },
    "InvoiceExceedsInvoiceable": {
        "bases": [
            "InvoiceExceedsInvoiceable",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "invoice_exceeds_invoiceable",
        "retryable": False,
        "str": "[invoice_exceeds_invoiceable] order SO-1 may still be "
        "invoiced for 5.00; a request for 9.00 is more. Request at "
        "most that (deliver first if the policy invoices delivered "
        "goods).",
        "args": "('order SO-1 may still be invoiced for 5.00; a request for "
        "9.00 is more. Request at most that (deliver first if the "
        "policy invoices delivered goods).',)",
        "details": "{'order': 'SO-1'}",
        "field": "amount",
    },
    "NegativeStock": {
        "bases": [
            "NegativeStock",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "negative_stock",
        "retryable": False,
        "str": "[negative_stock] the change would leave -2 on hand stock of product "
        "'p-1' in warehouse 'w-1'; stock cannot be negative. Adjust by less.",
        "args": "(\"the change would leave -2 on hand stock of product 'p-1' in "
        "warehouse 'w-1'; stock cannot be negative. Adjust by less.\",)",
        "details": "{'product_id': 'p-1', 'warehouse_id': 'w-1', 'bucket': 'on hand', "
        "'result': Decimal('-2.00')}",
        "field": None,
    },
    "NoApprover": {
        "bases": [
            "NoApprover",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "no_approver",
        "retryable": False,
        "str": "[no_approver] nobody",
        "args": "('nobody',)",
        "details": "{}",
        "field": None,
    },
    "NoPriceFound": {
        "bases": [
            "NoPriceFound",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "no_price",
        "retryable": False,
        "str": "[no_price] no price list gives SKU 'TEA-01' a CNY price for customer "
        "'DEALER-1', quantity 12.5, at 2026-03-04T05:06:07+00:00 (List 0: reason "
        "0; List 1: reason 1; List 2: reason 2; and 2 more lists). Add an entry "
        "to a list that applies, or widen a list's scope or validity.",
        "args": "(\"no price list gives SKU 'TEA-01' a CNY price for customer "
        "'DEALER-1', quantity 12.5, at 2026-03-04T05:06:07+00:00 (List 0: reason "
        "0; List 1: reason 1; List 2: reason 2; and 2 more lists). Add an entry "
        "to a list that applies, or widen a list's scope or validity.\",)",
        "details": "{'field': 'product_id', 'sku': 'TEA-01', 'product_id': 'p-1', "
        "'account_id': 'DEALER-1', 'candidates': "
        "(ListVerdict(price_list_id='pl-0', name='List 0', priority=0, "
        "outcome=<ListOutcome.INACTIVE: 'inactive'>, reason='reason 0', "
        "entries=()), ListVerdict(price_list_id='pl-1', name='List 1', "
        "priority=1, outcome=<ListOutcome.INACTIVE: 'inactive'>, "
        "reason='reason 1', entries=()), ListVerdict(price_list_id='pl-2', "
        "name='List 2', priority=2, outcome=<ListOutcome.INACTIVE: "
        "'inactive'>, reason='reason 2', entries=()), "
        "ListVerdict(price_list_id='pl-3', name='List 3', priority=3, "
        "outcome=<ListOutcome.INACTIVE: 'inactive'>, reason='reason 3', "
        "entries=()), ListVerdict(price_list_id='pl-4', name='List 4', "
        "priority=4, outcome=<ListOutcome.INACTIVE: 'inactive'>, "
        "reason='reason 4', entries=()))}",
        "field": "product_id",
    },
    "NotAnApprover": {
        "bases": [
            "NotAnApprover",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "not_an_approver",
        "retryable": False,
        "str": "[not_an_approver] not yours",
        "args": "('not yours',)",
        "details": "{'field': 'user'}",
        "field": "user",
    },
    "NotFound": {
        "bases": ["NotFound", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "not_found",
        "retryable": False,
        "str": "[not_found] Product with sku "
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (82 characters) "
        "was not found in tenant 'acme'; check the sku and the tenant the unit of "
        "work was opened for.",
        "args": '("Product with sku '
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (82 "
        "characters) was not found in tenant 'acme'; check the sku and the tenant "
        'the unit of work was opened for.",)',
        "details": "{'entity': 'Product', 'key': 'sku', 'value': "
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', "
        "'tenant_id': 'acme'}",
        "field": None,
    },
    "NotInPool": {
        "bases": [
            "NotInPool",
            "PoolRuleBroken",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "not_in_pool",
        "retryable": False,
        "str": "[not_in_pool] lead L-1 is not free in pool 'east': owned by bob.",
        "args": "(\"lead L-1 is not free in pool 'east': owned by bob.\",)",
        "details": "{'pool': 'east', 'record': 'lead L-1'}",
        "field": None,
    },
    "NotOwner": {
        "bases": [
            "NotOwner",
            "PoolRuleBroken",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "not_owner",
        "retryable": False,
        "str": "[not_owner] user 'ann' does not own lead L-1 in pool 'east'; only its owner "
        "returns it.",
        "args": "(\"user 'ann' does not own lead L-1 in pool 'east'; only its owner "
        'returns it.",)',
        "details": "{'pool': 'east', 'record': 'lead L-1', 'user': 'ann'}",
        "field": None,
    },
    "NotPoolMember": {
        "bases": [
            "NotPoolMember",
            "PoolRuleBroken",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "not_pool_member",
        "retryable": False,
        "str": "[not_pool_member] user 'ann' is not an active member of pool 'east'; "
        "add the user to the pool first.",
        "args": "(\"user 'ann' is not an active member of pool 'east'; add the user "
        'to the pool first.",)',
        "details": "{'pool': 'east', 'user': 'ann'}",
        "field": None,
    },
    "OrderHasPendingHolds": {
        "bases": [
            "OrderHasPendingHolds",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "order_has_pending_holds",
        "retryable": False,
        "str": "[order_has_pending_holds] cannot place holds for Order 'SO-1': "
        "it is holding funds already. Customer account 'acc-1' still "
        "holds funds for it; post or void those holds first. Nothing was "
        "changed.",
        "args": "(\"cannot place holds for Order 'SO-1': it is holding funds already.\",)",
        "details": "{'entity': 'Order', 'record_id': 'SO-1', 'state': 'holding "
        "funds already', 'action': 'place holds for'}",
        "field": None,
    },
    "OrderTransitionNotAllowed": {
        "bases": [
            "OrderTransitionNotAllowed",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "order_transition_not_allowed",
        "retryable": False,
        "str": "[order_transition_not_allowed] cannot deliver sales order 'SO-7': it is draft.",
        "args": "(\"cannot deliver sales order 'SO-7': it is draft.\",)",
        "details": "{'entity': 'sales order', 'record_id': 'SO-7', 'state': "
        "'draft', 'action': 'deliver'}",
        "field": None,
    },
    "OutsideRadius": {
        "bases": ["OutsideRadius", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "outside_radius",
        "retryable": False,
        "str": "[outside_radius] check-in of visit 'V-1' is 900 m from customer "
        "'DEALER-1', more than the 200 m its visit type allows; check in at the "
        "store.",
        "args": "(\"check-in of visit 'V-1' is 900 m from customer 'DEALER-1', more "
        'than the 200 m its visit type allows; check in at the store.",)',
        "details": "{'visit': 'V-1', 'customer': 'DEALER-1', 'distance': 900, 'radius': 200}",
        "field": None,
    },
    "OverReturn": {
        "bases": [
            "OverReturn",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "over_return",
        "retryable": False,
        "str": "[over_return] delivery note 'dn-1' line 3: 2 delivered and not yet "
        "returned, cannot return 5; return at most that quantity.",
        "args": "(\"delivery note 'dn-1' line 3: 2 delivered and not yet returned, cannot "
        'return 5; return at most that quantity.",)',
        "details": "{'delivery_note_id': 'dn-1', 'line_no': 3, 'quantity': Decimal('5.0'), "
        "'left': Decimal('2')}",
        "field": "lines",
    },
    "OverShipment": {
        "bases": [
            "OverShipment",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "over_shipment",
        "retryable": False,
        "str": "[over_shipment] reservation 'r-1' holds 2.5, cannot ship 5; ship at most "
        "the reserved quantity or reserve more first.",
        "args": "(\"reservation 'r-1' holds 2.5, cannot ship 5; ship at most the "
        'reserved quantity or reserve more first.",)',
        "details": "{'reservation_id': 'r-1', 'quantity': Decimal('5.000'), 'remaining': "
        "Decimal('2.50')}",
        "field": "lines",
    },
    "PaymentCurrencyMismatch": {
        "bases": [
            "PaymentCurrencyMismatch",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "payment_currency_mismatch",
        "retryable": False,
        "str": "[payment_currency_mismatch] payment 'PAY-1' is in CNY but "
        "order SO-1 is in USD; allocate it only to orders in CNY.",
        "args": "(\"payment 'PAY-1' is in CNY but order SO-1 is in USD; "
        'allocate it only to orders in CNY.",)',
        "details": "{'payment': 'PAY-1'}",
        "field": None,
    },
    "PaymentPayerMismatch": {
        "bases": [
            "PaymentPayerMismatch",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "payment_payer_mismatch",
        "retryable": False,
        "str": "[payment_payer_mismatch] payment 'PAY-1' was paid by customer "
        "'DEALER-1'; order SO-1 belongs to another customer. Allocate it "
        "to the payer's orders.",
        "args": "(\"payment 'PAY-1' was paid by customer 'DEALER-1'; order "
        "SO-1 belongs to another customer. Allocate it to the payer's "
        'orders.",)',
        "details": "{'payment': 'PAY-1'}",
        "field": None,
    },
    "PaymentReversed": {
        "bases": [
            "PaymentReversed",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "payment_reversed",
        "retryable": False,
        "str": "[payment_reversed] cannot allocate Payment 'PAY-1': it is reversed; "
        "record a new payment.",
        "args": "(\"cannot allocate Payment 'PAY-1': it is reversed; record a new payment.\",)",
        "details": "{'entity': 'Payment', 'record_id': 'PAY-1', 'state': 'reversed; "
        "record a new payment', 'action': 'allocate'}",
        "field": None,
    },
    "PoolRuleBroken": {
        "bases": ["PoolRuleBroken", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "pool_rule",
        "retryable": False,
        "str": "[pool_rule] no",
        "args": "('no',)",
        "details": "{'pool': 'p'}",
        "field": None,
    },
    "ProcessStepRefused": {
        "bases": ["ProcessStepRefused", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "process_step_refused",
        "retryable": False,
        "str": "[process_step_refused] process 'sale' of record 'o-1' cannot move "
        "on from stage 'won': open tasks.",
        "args": "(\"process 'sale' of record 'o-1' cannot move on from stage "
        "'won': open tasks.\",)",
        "details": "{'process': 'sale', 'record': 'o-1', 'stage': 'won', 'reason': 'open tasks'}",
        "field": None,
    },
    "QuoteExpired": {
        "bases": [
            "QuoteExpired",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "quote_expired",
        "retryable": False,
        "str": "[quote_expired] cannot accept quote 'q-1': it was valid until "
        "2026-03-04T05:06:07+00:00 and it is now 2026-03-04T05:06:07+00:00. "
        "Expire it and issue a new quote, or (to convert an accepted quote) pass "
        "an explicit expiry override.",
        "args": "(\"cannot accept quote 'q-1': it was valid until "
        "2026-03-04T05:06:07+00:00 and it is now 2026-03-04T05:06:07+00:00. "
        "Expire it and issue a new quote, or (to convert an accepted quote) pass "
        'an explicit expiry override.",)',
        "details": "{'quote_id': 'q-1'}",
        "field": None,
    },
    "QuoteTransitionNotAllowed": {
        "bases": [
            "QuoteTransitionNotAllowed",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "quote_transition_not_allowed",
        "retryable": False,
        "str": "[quote_transition_not_allowed] cannot send quote 'q-1': it "
        "is rejected; a rejected quote allows nothing (it is final). "
        "Create a new quote to offer other terms.",
        "args": "(\"cannot send quote 'q-1': it is rejected; a rejected "
        "quote allows nothing (it is final). Create a new quote to "
        'offer other terms.",)',
        "details": "{'entity': 'Quote', 'record_id': 'q-1', 'state': 'rejected', 'action': 'send'}",
        "field": None,
    },
    "RefundExceedsReceived": {
        "bases": [
            "RefundExceedsReceived",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "refund_exceeds_received",
        "retryable": False,
        "str": "[refund_exceeds_received] order SO-1 has 5.00 received and not "
        "refunded; a refund of 9.00 is more. Refund at most what was "
        "received.",
        "args": "('order SO-1 has 5.00 received and not refunded; a refund of "
        "9.00 is more. Refund at most what was received.',)",
        "details": "{'order': 'SO-1'}",
        "field": "amount",
    },
    "ReopenWindowClosed": {
        "bases": ["ReopenWindowClosed", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "reopen_window_closed",
        "retryable": False,
        "str": "[reopen_window_closed] work order 'WO-1' could be reopened until "
        "2026-03-04T05:06:07+00:00; open a new work order instead.",
        "args": "(\"work order 'WO-1' could be reopened until "
        '2026-03-04T05:06:07+00:00; open a new work order instead.",)',
        "details": "{'number': 'WO-1', 'until': '2026-03-04T05:06:07+00:00'}",
        "field": None,
    },
    "RepaymentExceedsCreditUsed": {
        "bases": [
            "RepaymentExceedsCreditUsed",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "repayment_exceeds_credit_used",
        "retryable": False,
        "str": "[repayment_exceeds_credit_used] customer account 'acc-1' "
        "owes 20 on credit, so a repayment of 50 is too large; "
        "deposit the difference as prepayment instead. Nothing was "
        "changed.",
        "args": "(\"customer account 'acc-1' owes 20 on credit, so a "
        "repayment of 50 is too large; deposit the difference as "
        'prepayment instead. Nothing was changed.",)',
        "details": "{'account_id': 'acc-1', 'amount': Decimal('50'), 'used': Decimal('20')}",
        "field": "amount",
    },
    "ReservationExpired": {
        "bases": [
            "ReservationExpired",
            "InvalidStateTransition",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "reservation_expired",
        "retryable": False,
        "str": "[reservation_expired] cannot deliver sales order 'SO-7': it is "
        "reserved for line 2 only until 2026-03-04T05:06:07+00:00.",
        "args": "(\"cannot deliver sales order 'SO-7': it is reserved for line 2 "
        'only until 2026-03-04T05:06:07+00:00.",)',
        "details": "{'entity': 'sales order', 'record_id': 'SO-7', 'state': "
        "'reserved for line 2 only until 2026-03-04T05:06:07+00:00', "
        "'action': 'deliver'}",
        "field": None,
    },
    "ReturnExceedsDelivered": {
        "bases": [
            "ReturnExceedsDelivered",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "return_exceeds_delivered",
        "retryable": False,
        "str": "[return_exceeds_delivered] order o-2 line 2 (TEA-01): 1.50 "
        "delivered and not returned, cannot return 2; return at most "
        "that.",
        "args": "('order o-2 line 2 (TEA-01): 1.50 delivered and not returned, "
        "cannot return 2; return at most that.',)",
        "details": "{'order': 'o-2', 'line_no': 2, 'asked': Decimal('2'), 'left': Decimal('1.50')}",
        "field": "quantities",
    },
    "SelfApproval": {
        "bases": [
            "SelfApproval",
            "NotAnApprover",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "self_approval",
        "retryable": False,
        "str": "[self_approval] own record",
        "args": "('own record',)",
        "details": "{}",
        "field": None,
    },
    "StepInvalid": {
        "bases": [
            "StepInvalid",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "step_invalid",
        "retryable": False,
        "str": "[step_invalid] bad value",
        "args": "('bad value',)",
        "details": "{'field': 'count'}",
        "field": "count",
    },
    "StepOutOfOrder": {
        "bases": ["StepOutOfOrder", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "step_out_of_order",
        "retryable": False,
        "str": "[step_out_of_order] step 'photo' of visit 'V-1' is not the next one: "
        "fill in step 'arrive' next.",
        "args": "(\"step 'photo' of visit 'V-1' is not the next one: fill in step "
        "'arrive' next.\",)",
        "details": "{'visit': 'V-1', 'step': 'photo'}",
        "field": None,
    },
    "StepsMissing": {
        "bases": ["StepsMissing", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "steps_missing",
        "retryable": False,
        "str": "[steps_missing] visit 'V-1' cannot be checked out: required steps "
        "['photo', 'count'] are not done.",
        "args": "(\"visit 'V-1' cannot be checked out: required steps ['photo', "
        "'count'] are not done.\",)",
        "details": "{'visit': 'V-1', 'missing': ['photo', 'count']}",
        "field": None,
    },
    "StorageError": {
        "bases": ["StorageError", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "storage",
        "retryable": False,
        "str": "[storage] disk full",
        "args": "('disk full',)",
        "details": "{'cause': 'x'}",
        "field": None,
    },
    "StorageUnavailable": {
        "bases": [
            "StorageUnavailable",
            "StorageError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "storage_unavailable",
        "retryable": True,
        "str": "[storage_unavailable] gone away",
        "args": "('gone away',)",
        "details": "{}",
        "field": None,
    },
    "UnitMismatch": {
        "bases": [
            "UnitMismatch",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "unit_mismatch",
        "retryable": False,
        "str": "[unit_mismatch] cannot subtract quantities in 'box' and 'tin': the units "
        "differ. Convert one quantity explicitly before combining them.",
        "args": "(\"cannot subtract quantities in 'box' and 'tin': the units differ. "
        'Convert one quantity explicitly before combining them.",)',
        "details": "{'left': 'box', 'right': 'tin', 'operation': 'subtract'}",
        "field": None,
    },
    "ValidationError": {
        "bases": ["ValidationError", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "validation",
        "retryable": False,
        "str": "[validation] too long",
        "args": "('too long',)",
        "details": "{'field': 'name'}",
        "field": "name",
    },
    "VisitMissed": {
        "bases": ["VisitMissed", "CrmkitError", "Exception", "BaseException", "object"],
        "code": "visit_missed",
        "retryable": False,
        "str": "[visit_missed] visit 'V-1' could be checked in until "
        "2026-03-04T05:06:07+00:00 (planned start plus the grace period); it is "
        "missed: plan a new visit.",
        "args": "(\"visit 'V-1' could be checked in until 2026-03-04T05:06:07+00:00 "
        "(planned start plus the grace period); it is missed: plan a new "
        'visit.",)',
        "details": "{'visit': 'V-1', 'deadline': '2026-03-04T05:06:07+00:00'}",
        "field": None,
    },
    "WrongTenant": {
        "bases": [
            "WrongTenant",
            "ValidationError",
            "CrmkitError",
            "Exception",
            "BaseException",
            "object",
        ],
        "code": "wrong_tenant",
        "retryable": False,
        "str": "[wrong_tenant] Product 'p-1' belongs to tenant 'a', but the unit of work "
        "is for tenant 'b'; open a unit of work for the record's tenant.",
        "args": "(\"Product 'p-1' belongs to tenant 'a', but the unit of work is for "
        "tenant 'b'; open a unit of work for the record's tenant.\",)",
        "details": "{'entity': 'Product', 'record_id': 'p-1', 'owner': 'a', 'tenant_id': 'b'}",
        "field": None,
    },
}


class TestErrorCatalogue:
    """The samples cover every error, and every error shows what it showed before."""

    def test_every_error_has_a_sample(self) -> None:
        """Each CrmkitError subclass exported by crmkit.errors is sampled here."""
        exported = {
            name
            for name in every.__all__
            if isinstance(getattr(every, name), type)
            and issubclass(getattr(every, name), CrmkitError)
        }
        assert exported == set(SAMPLES) == set(EXPECTED)

    @pytest.mark.parametrize("name", sorted(SAMPLES))
    def test_error_shows_what_it_showed(self, name: str) -> None:
        """Bases, code, retryable, message, args, details and field are unchanged."""
        error = SAMPLES[name]()
        assert type(error) is getattr(every, name)
        assert shown(error) == EXPECTED[name]

    @pytest.mark.parametrize("name", sorted(SAMPLES))
    def test_error_survives_pickling(self, name: str) -> None:
        """A pickled error comes back with the same class, code, message and details."""
        error = SAMPLES[name]()
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert (back.message, back.details, str(back)) == (
            error.message,
            error.details,
            str(error),
        )
