"""The services of one tenant, as :meth:`crmkit.Crm.tenant` binds them."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from crmkit.domain import TenantId, ValidationError
from crmkit.domain.currency import check_currency
from crmkit.services import CatalogService, UnitOfWork
from crmkit.services.accounts import CustomerAccountService
from crmkit.services.approvals import ApprovalService
from crmkit.services.custom_fields import CustomFieldService
from crmkit.services.field_work.shelf import ShelfCheckService
from crmkit.services.field_work.store_deliveries import LedgerStoreDeliveries, StoreOfOrder
from crmkit.services.field_work.store_prices import PriceListStorePrices
from crmkit.services.field_work.visits import VisitService
from crmkit.services.field_work.work_orders import WorkOrderService
from crmkit.services.front_office.activity import ActivityService
from crmkit.services.front_office.customers import CustomerService
from crmkit.services.front_office.leads import LeadService
from crmkit.services.front_office.opportunities import OpportunityService
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.front_office.pools import PoolService
from crmkit.services.front_office.quoting import CustomerFunds, CustomerQuotes
from crmkit.services.inventory import InventoryService
from crmkit.services.order_reads import OutboxService
from crmkit.services.orders import OrderService
from crmkit.services.pricing import PricingService
from crmkit.services.processes import ProcessService
from crmkit.services.quotes import QuoteService
from crmkit.services.receivables.contracts import ContractService
from crmkit.services.receivables.invoices import InvoiceService
from crmkit.services.receivables.payments import PaymentService
from crmkit.services.receivables.plans import PaymentPlanService
from crmkit.services.receivables.refunds import RefundService
from crmkit.services.workflows import WorkflowService

__all__ = ["TenantServices"]


@attrs.frozen
class TenantServices:
    """crmkit's services bound to one tenant: the order flow (catalog to outbox), the
    receivables, the front office (customers to opportunities), field work and custom
    fields."""

    tenant_id: TenantId
    catalog: CatalogService
    pricing: PricingService
    quotes: QuoteService
    inventory: InventoryService
    accounts: CustomerAccountService
    orders: OrderService
    outbox: OutboxService
    payments: PaymentService
    plans: PaymentPlanService
    refunds: RefundService
    invoices: InvoiceService
    contracts: ContractService
    approvals: ApprovalService
    workflows: WorkflowService
    processes: ProcessService
    customers: CustomerService
    pools: PoolService
    leads: LeadService
    activities: ActivityService
    directory: DirectoryService
    opportunities: OpportunityService
    customer_quotes: CustomerQuotes
    customer_funds: CustomerFunds
    visits: VisitService
    work_orders: WorkOrderService
    custom_fields: CustomFieldService
    unit_of_work: Callable[[], UnitOfWork]
    """A unit of work of the tenant, for callers composing their own transactions."""

    def shelf_checks(self, *, currency: str, store_of_order: StoreOfOrder) -> ShelfCheckService:
        """Shelf checks (盘点动作) and their figures: deliveries and returns from the stock
        ledger, attributed to a store by ``store_of_order(uow, order_id)`` (the customer id
        of the store the order was for, or ``None``), listed prices from the store's price
        lists in ``currency``.

        Raises:
            ValidationError: a malformed currency, or ``store_of_order`` is not callable.
        """
        check_currency(currency)
        if not callable(store_of_order):
            raise ValidationError("store_of_order must be a function (uow, order_id) -> store id.")
        deliveries = LedgerStoreDeliveries(self.unit_of_work, store_of_order)
        prices = PriceListStorePrices(self.unit_of_work, self.pricing, currency)
        return ShelfCheckService(self.unit_of_work, deliveries, prices)
