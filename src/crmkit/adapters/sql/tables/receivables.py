"""Tables of the receivables record types, generated from their declarations."""

from crmkit.adapters.sql.tables.base import metadata
from crmkit.adapters.sql.tables.records import record_table
from crmkit.domain.receivables.contracts import CONTRACTS
from crmkit.domain.receivables.invoices import INVOICE_REQUESTS, ORDER_INVOICING
from crmkit.domain.receivables.payments import ORDER_RECEIPTS, PAYMENTS
from crmkit.domain.receivables.plans import PAYMENT_PLANS
from crmkit.domain.receivables.refunds import REFUNDS

payments = record_table(PAYMENTS, metadata)
order_receipts = record_table(ORDER_RECEIPTS, metadata)
payment_plans = record_table(PAYMENT_PLANS, metadata)
refunds = record_table(REFUNDS, metadata)
invoice_requests = record_table(INVOICE_REQUESTS, metadata)
order_invoicing = record_table(ORDER_INVOICING, metadata)
contracts = record_table(CONTRACTS, metadata)
