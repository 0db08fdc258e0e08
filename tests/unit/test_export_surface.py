"""The names crmkit's public modules export, frozen, and where every error can be imported.

The ``__all__`` lists of the facades, the errors each facade offers and the errors each
module defines must not shrink when the modules are rearranged (``from crmkit.errors import
X`` keeps working for every X that works today). Which errors a defining module merely
imports for its own use is its own business.
"""

from __future__ import annotations

import importlib

import pytest

import crmkit.errors as every
from crmkit.errors import CrmkitError

# fmt: off
ALL_LISTS: dict[str, list[str]] = (
{'crmkit': ['ConcurrencyConflict', 'ConfigurationError', 'Crm', 'CrmkitError', 'CurrencyMismatch',
            'DuplicateRecord', 'DuplicateRequest', 'FixedClock', 'FloatNotAllowed',
            'InsufficientFunds', 'InsufficientStock', 'InvalidStateTransition', 'Money',
            'NoPriceFound', 'NotFound', 'Page', 'Product', 'ProductId', 'Quantity', 'Rounding',
            'StorageError', 'StorageUnavailable', 'SystemClock', 'TenantId', 'TenantServices',
            'UnitMismatch', 'ValidationError', 'WrongTenant', '__version__', 'open_crm',
            'open_storage', 'upgrade_database'],
 'crmkit.accounts': ['AccountCurrencyMismatch', 'AmountExceedsHold', 'CreditLimitBelowUsage',
                     'CustomerAccount', 'CustomerAccountService', 'DeductionPlan',
                     'DeductionPolicy', 'EntryKind', 'Fund', 'FundBalance', 'FundSummary', 'Hold',
                     'HoldExpired', 'HoldResolved', 'HoldStatus', 'InsufficientFunds',
                     'JournalEntry', 'Movement', 'OrderHasPendingHolds', 'OrderLine', 'PlanPart',
                     'RebateGrant', 'RepaymentExceedsCreditUsed', 'Statement', 'TradeMode'],
 'crmkit.domain': ['ConcurrencyConflict', 'ConfigurationError', 'CrmkitError', 'CurrencyMismatch',
                   'DuplicateRecord', 'DuplicateRequest', 'FloatNotAllowed',
                   'InvalidStateTransition', 'MINOR_UNIT_DIGITS', 'Money', 'NotFound', 'Product',
                   'ProductId', 'Quantity', 'Rounding', 'StorageError', 'StorageUnavailable',
                   'TenantId', 'UnitMismatch', 'ValidationError', 'WrongTenant', 'check_currency',
                   'minor_unit', 'new_id', 'tenant_id', 'to_decimal', 'utc_millis'],
 'crmkit.domain.inventory': ['Allocation', 'AllocationStrategy', 'BelowReserved', 'Candidate',
                             'CountLine', 'DOCUMENT_TYPES', 'DeliveryLine', 'DeliveryNote',
                             'DocumentStatus', 'InboundLine', 'InboundOrder', 'InsufficientStock',
                             'Movement', 'MovementId', 'MovementKind', 'NegativeStock',
                             'OverReturn', 'OverShipment', 'QUANTITY_STEP', 'Reservation',
                             'ReservationId', 'ReservationStatus', 'ReturnLine', 'ReturnOrder',
                             'ShortagePolicy', 'StockBucket', 'StockCount', 'StockDocument',
                             'StockLevel', 'Warehouse', 'WarehouseId', 'allocate',
                             'signed_quantity', 'stock_quantity'],
 'crmkit.domain.quote': ['ACCOUNT_MAX_LENGTH', 'ALLOWED', 'ConversionExceedsRemaining', 'Quote',
                         'QuoteExpired', 'QuoteId', 'QuoteLine', 'QuoteStatus',
                         'QuoteTransitionNotAllowed', 'discount', 'document_discount'],
 'crmkit.errors': ['AccountCurrencyMismatch', 'AllocationExceedsOpenAmount',
                   'AllocationExceedsPayment', 'AmountExceedsHold', 'ApprovalPending',
                   'BelowReserved', 'ClaimLimitReached', 'ConcurrencyConflict',
                   'ConfigurationError', 'ContractAmountExceeded', 'ConversionExceedsRemaining',
                   'CoolingDown', 'CreditLimitBelowUsage', 'CrmkitError', 'CurrencyMismatch',
                   'DeliveryExceedsOrdered', 'DuplicateCustomer', 'DuplicateRecord',
                   'DuplicateRequest', 'EmptyOrder', 'FloatNotAllowed', 'HoldExpired',
                   'HoldResolved', 'InactiveCustomer', 'InsufficientFunds', 'InsufficientStock',
                   'InvalidCondition', 'InvalidStateTransition', 'InvoiceExceedsInvoiceable',
                   'NegativeStock', 'NoApprover', 'NoPriceFound', 'NotAnApprover', 'NotFound',
                   'NotInPool', 'NotOwner', 'NotPoolMember', 'OrderHasPendingHolds',
                   'OrderTransitionNotAllowed', 'OutsideRadius', 'OverReturn', 'OverShipment',
                   'PaymentCurrencyMismatch', 'PaymentPayerMismatch', 'PaymentReversed',
                   'PoolRuleBroken', 'ProcessStepRefused', 'QuoteExpired',
                   'QuoteTransitionNotAllowed', 'RefundExceedsReceived', 'ReopenWindowClosed',
                   'RepaymentExceedsCreditUsed', 'ReservationExpired', 'ReturnExceedsDelivered',
                   'SelfApproval', 'StepInvalid', 'StepOutOfOrder', 'StepsMissing', 'StorageError',
                   'StorageUnavailable', 'UnitMismatch', 'ValidationError', 'VisitMissed',
                   'WrongTenant'],
 'crmkit.field_work': ['Assignment', 'BusinessCalendar', 'Comment', 'FieldValue', 'FormField',
                       'FormFieldKind', 'LedgerStoreDeliveries', 'OutsideRadius', 'PriceDeviation',
                       'PriceListStorePrices', 'Priority', 'ReopenWindowClosed', 'ShelfCheck',
                       'ShelfCheckService', 'ShelfFigures', 'ShelfLine', 'SlaTarget', 'Step',
                       'StepEntry', 'StepInvalid', 'StepKind', 'StepOutOfOrder', 'StepsMissing',
                       'StoreDeliveries', 'StorePrices', 'Visit', 'VisitActionTemplate',
                       'VisitMissed', 'VisitService', 'VisitStatus', 'WorkOrder',
                       'WorkOrderService', 'WorkOrderStatus'],
 'crmkit.front_office': ['ActivityService', 'Assignment', 'CONTACTS', 'CUSTOMERS',
                         'ClaimLimitReached', 'Contact', 'Conversion', 'CoolingDown', 'Customer',
                         'CustomerFunds', 'CustomerKind', 'CustomerQuotes', 'CustomerService',
                         'CustomerStatus', 'DirectoryService', 'DuplicateCustomer', 'FollowUp',
                         'FollowUpKind', 'FollowUpSubject', 'ForecastLine', 'InactiveCustomer',
                         'LEADS', 'Lead', 'LeadEntry', 'LeadService', 'LeadSource', 'LeadStatus',
                         'MapPoint', 'NotInPool', 'NotOwner', 'NotPoolMember', 'Opportunity',
                         'OpportunityDraft', 'OpportunityService', 'OpportunityStatus', 'Pool',
                         'PoolAction', 'PoolEvent', 'PoolKind', 'PoolRuleBroken', 'PoolService',
                         'Role', 'SalesProcess', 'Stage', 'Task', 'TaskStatus', 'Team', 'USERS',
                         'User', 'pricing_customer'],
 'crmkit.inventory': ['AllocationStrategy', 'Backorder', 'BelowReserved', 'CountLine',
                      'DeliveryLine', 'DeliveryNote', 'DocumentStatus', 'InboundLine',
                      'InboundOrder', 'InsufficientStock', 'InventoryService', 'Movement',
                      'MovementKind', 'NegativeStock', 'OverReturn', 'OverShipment',
                      'ProductAvailability', 'Reservation', 'ReservationRequest',
                      'ReservationResult', 'ReservationStatus', 'ReturnLine', 'ReturnOrder',
                      'ShortagePolicy', 'StockBucket', 'StockCount', 'StockLevel', 'Warehouse',
                      'WarehouseStock'],
 'crmkit.orders': ['ApprovalRule', 'DeliveryExceedsOrdered', 'EmptyOrder', 'EventName',
                   'NumberPatterns', 'OrderDocument', 'OrderLineInput', 'OrderOutcome',
                   'OrderService', 'OrderTransitionNotAllowed', 'OutboxEvent', 'OutboxService',
                   'ReservationExpired', 'ReturnExceedsDelivered', 'SalesOrder',
                   'SalesOrderStatus'],
 'crmkit.pricing': ['ConversionExceedsRemaining', 'Derivation', 'DocumentTotals', 'EntryInput',
                    'EntryOutcome', 'EntryVerdict', 'LineAmounts', 'LineInput', 'ListOutcome',
                    'ListVerdict', 'NoPriceFound', 'PriceEntry', 'PriceList', 'PriceListScope',
                    'PricedItem', 'PricedLines',
                    'PricingCustomer', 'PricingPolicy', 'PricingService', 'Quote', 'QuoteExpired',
                    'QuoteLine', 'QuoteService', 'QuoteStatus', 'QuoteTransitionNotAllowed',
                    'Resolution', 'ResolutionMode', 'RoundingStep', 'SalesOrder', 'SalesOrderLine',
                    'SalesOrderStatus', 'ScopeKind'],
 'crmkit.process': ['ActionKind', 'All', 'Any', 'AnyOf', 'ApprovalAction', 'ApprovalDelegation',
                    'ApprovalEntry', 'ApprovalEvent', 'ApprovalFlow', 'ApprovalInstance',
                    'ApprovalOutcome', 'ApprovalPending', 'ApprovalService', 'ApprovalStatus',
                    'ApprovalStep', 'ApproverKind', 'Between', 'CONSUMER', 'CallStatus',
                    'ChangedTo', 'Compare', 'Comparison', 'Condition', 'ConditionValue',
                    'DaysFromNow', 'EVENT_FIELDS', 'In', 'InstanceStatus', 'InstanceTask',
                    'InvalidCondition', 'IsEmpty', 'NoApprover', 'Not', 'NotAnApprover', 'Notice',
                    'Notifier', 'ORDER_FIELDS', 'OnTimeout', 'OverdueTask', 'ProcessDefinition',
                    'ProcessInstance', 'ProcessService', 'ProcessStage', 'ProcessStepRefused',
                    'RuleAction', 'SelfApproval', 'StageTask', 'StageVisit', 'StepMode',
                    'TIME_EVENT', 'TRIGGERS', 'Transition', 'WorkflowCall', 'WorkflowFiring',
                    'WorkflowRule', 'WorkflowService', 'average_stage_times', 'check_condition',
                    'condition_fields', 'condition_from_json', 'condition_to_json',
                    'create_payment_plan', 'create_task', 'days_after_due', 'eq', 'evaluate',
                    'fields_of', 'ge', 'gt', 'is_condition', 'le', 'lt', 'ne', 'notify',
                    'order_values', 'record_values', 'return_to_pool', 'set_field',
                    'trigger_fields'],
 'crmkit.receivables': ['AGEING_BUCKETS', 'AllocationExceedsOpenAmount', 'AllocationExceedsPayment',
                        'Contract', 'ContractAmountExceeded', 'ContractProgress', 'ContractService',
                        'ContractStatus', 'DueInstalment', 'Instalment', 'InstalmentShare',
                        'InstalmentStatus', 'InvoiceBasis', 'InvoiceExceedsInvoiceable',
                        'InvoiceKind', 'InvoiceRequest', 'InvoiceService', 'InvoiceStatus',
                        'OrderFigures', 'OrderReceipts', 'Payment', 'PaymentAllocation',
                        'PaymentCurrencyMismatch', 'PaymentPayerMismatch', 'PaymentPlan',
                        'PaymentPlanService', 'PaymentReversed', 'PaymentService', 'PaymentStatus',
                        'REMINDER_EVENT', 'Refund', 'RefundExceedsReceived', 'RefundService',
                        'RefundStatus', 'TaxPart']})
ERRORS_IN: dict[str, list[str]] = (
{'crmkit': ['ConcurrencyConflict', 'ConfigurationError', 'CrmkitError', 'CurrencyMismatch',
            'DuplicateRecord', 'DuplicateRequest', 'FloatNotAllowed', 'InsufficientFunds',
            'InsufficientStock', 'InvalidStateTransition', 'NoPriceFound', 'NotFound',
            'StorageError', 'StorageUnavailable', 'UnitMismatch', 'ValidationError',
            'WrongTenant'],
 'crmkit.accounts': ['AccountCurrencyMismatch', 'AmountExceedsHold', 'CreditLimitBelowUsage',
                     'HoldExpired', 'HoldResolved', 'InsufficientFunds', 'OrderHasPendingHolds',
                     'RepaymentExceedsCreditUsed'],
 'crmkit.domain': ['ConcurrencyConflict', 'ConfigurationError', 'CrmkitError', 'CurrencyMismatch',
                   'DuplicateRecord', 'DuplicateRequest', 'FloatNotAllowed',
                   'InvalidStateTransition', 'NotFound', 'StorageError', 'StorageUnavailable',
                   'UnitMismatch', 'ValidationError', 'WrongTenant'],
 'crmkit.domain.account_errors': ['AccountCurrencyMismatch', 'AmountExceedsHold',
                                  'CreditLimitBelowUsage', 'HoldExpired', 'HoldResolved',
                                  'InsufficientFunds', 'OrderHasPendingHolds',
                                  'RepaymentExceedsCreditUsed'],
 'crmkit.domain.approval_errors': ['ApprovalPending', 'NoApprover', 'NotAnApprover',
                                   'SelfApproval'],
 'crmkit.domain.condition_nodes': ['InvalidCondition'],
 'crmkit.domain.errors': ['ConcurrencyConflict', 'ConfigurationError', 'CrmkitError',
                          'CurrencyMismatch', 'DuplicateRecord', 'DuplicateRequest',
                          'FloatNotAllowed', 'InvalidStateTransition', 'NotFound', 'StorageError',
                          'StorageUnavailable', 'UnitMismatch', 'ValidationError', 'WrongTenant'],
 'crmkit.domain.field_work.errors': ['OutsideRadius', 'ReopenWindowClosed', 'StepInvalid',
                                     'StepOutOfOrder', 'StepsMissing', 'VisitMissed'],
 'crmkit.domain.front_office.errors': ['ClaimLimitReached', 'CoolingDown', 'DuplicateCustomer',
                                       'InactiveCustomer', 'NotInPool', 'NotOwner', 'NotPoolMember',
                                       'PoolRuleBroken'],
 'crmkit.domain.inventory': ['BelowReserved', 'InsufficientStock', 'NegativeStock', 'OverReturn',
                             'OverShipment'],
 'crmkit.domain.inventory.errors': ['BelowReserved', 'InsufficientStock', 'NegativeStock',
                                    'OverReturn', 'OverShipment'],
 'crmkit.domain.order_lifecycle': ['DeliveryExceedsOrdered', 'EmptyOrder',
                                   'OrderTransitionNotAllowed', 'ReservationExpired',
                                   'ReturnExceedsDelivered'],
 'crmkit.domain.pricing_terms': ['NoPriceFound'],
 'crmkit.domain.processes': ['ProcessStepRefused'],
 'crmkit.domain.quote': ['ConversionExceedsRemaining', 'QuoteExpired', 'QuoteTransitionNotAllowed',
                         'ValidationError'],
 'crmkit.domain.quote_terms': ['ConversionExceedsRemaining', 'QuoteExpired',
                               'QuoteTransitionNotAllowed'],
 'crmkit.domain.receivables.errors': ['AllocationExceedsOpenAmount', 'AllocationExceedsPayment',
                                      'ContractAmountExceeded', 'InvoiceExceedsInvoiceable',
                                      'PaymentCurrencyMismatch', 'PaymentPayerMismatch',
                                      'PaymentReversed', 'RefundExceedsReceived'],
 'crmkit.errors': ['AccountCurrencyMismatch', 'AllocationExceedsOpenAmount',
                   'AllocationExceedsPayment', 'AmountExceedsHold', 'ApprovalPending',
                   'BelowReserved', 'ClaimLimitReached', 'ConcurrencyConflict',
                   'ConfigurationError', 'ContractAmountExceeded', 'ConversionExceedsRemaining',
                   'CoolingDown', 'CreditLimitBelowUsage', 'CrmkitError', 'CurrencyMismatch',
                   'DeliveryExceedsOrdered', 'DuplicateCustomer', 'DuplicateRecord',
                   'DuplicateRequest', 'EmptyOrder', 'FloatNotAllowed', 'HoldExpired',
                   'HoldResolved', 'InactiveCustomer', 'InsufficientFunds', 'InsufficientStock',
                   'InvalidCondition', 'InvalidStateTransition', 'InvoiceExceedsInvoiceable',
                   'NegativeStock', 'NoApprover', 'NoPriceFound', 'NotAnApprover', 'NotFound',
                   'NotInPool', 'NotOwner', 'NotPoolMember', 'OrderHasPendingHolds',
                   'OrderTransitionNotAllowed', 'OutsideRadius', 'OverReturn', 'OverShipment',
                   'PaymentCurrencyMismatch', 'PaymentPayerMismatch', 'PaymentReversed',
                   'PoolRuleBroken', 'ProcessStepRefused', 'QuoteExpired',
                   'QuoteTransitionNotAllowed', 'RefundExceedsReceived', 'ReopenWindowClosed',
                   'RepaymentExceedsCreditUsed', 'ReservationExpired', 'ReturnExceedsDelivered',
                   'SelfApproval', 'StepInvalid', 'StepOutOfOrder', 'StepsMissing', 'StorageError',
                   'StorageUnavailable', 'UnitMismatch', 'ValidationError', 'VisitMissed',
                   'WrongTenant'],
 'crmkit.field_work': ['OutsideRadius', 'ReopenWindowClosed', 'StepInvalid', 'StepOutOfOrder',
                       'StepsMissing', 'VisitMissed'],
 'crmkit.front_office': ['ClaimLimitReached', 'CoolingDown', 'DuplicateCustomer',
                         'InactiveCustomer', 'NotInPool', 'NotOwner', 'NotPoolMember',
                         'PoolRuleBroken'],
 'crmkit.inventory': ['BelowReserved', 'InsufficientStock', 'NegativeStock', 'OverReturn',
                      'OverShipment'],
 'crmkit.orders': ['DeliveryExceedsOrdered', 'EmptyOrder', 'OrderTransitionNotAllowed',
                   'ReservationExpired', 'ReturnExceedsDelivered'],
 'crmkit.pricing': ['ConversionExceedsRemaining', 'NoPriceFound', 'QuoteExpired',
                    'QuoteTransitionNotAllowed'],
 'crmkit.process': ['ApprovalPending', 'InvalidCondition', 'NoApprover', 'NotAnApprover',
                    'ProcessStepRefused', 'SelfApproval'],
 'crmkit.receivables': ['AllocationExceedsOpenAmount', 'AllocationExceedsPayment',
                        'ContractAmountExceeded', 'InvoiceExceedsInvoiceable',
                        'PaymentCurrencyMismatch', 'PaymentPayerMismatch', 'PaymentReversed',
                        'RefundExceedsReceived']})
# fmt: on


def error_names(module_name: str) -> set[str]:
    """The public names through which ``module_name`` offers one of crmkit.errors' classes."""
    module = importlib.import_module(module_name)
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and isinstance(value, type)
        and issubclass(value, CrmkitError)
        and getattr(every, name, None) is value
    }


class TestExportSurface:
    """Facades export the same names; every error stays importable where it was."""

    @pytest.mark.parametrize("module", sorted(ALL_LISTS))
    def test_all_is_unchanged(self, module: str) -> None:
        """The module's ``__all__`` holds exactly the frozen names, each importable."""
        imported = importlib.import_module(module)
        assert sorted(imported.__all__) == ALL_LISTS[module]
        assert [name for name in imported.__all__ if not hasattr(imported, name)] == []

    @pytest.mark.parametrize("module", sorted(ERRORS_IN))
    def test_errors_stay_importable(self, module: str) -> None:
        """Each error the module offered is still there, as the very class crmkit.errors has."""
        assert error_names(module) >= set(ERRORS_IN[module])

    def test_every_module_defining_errors_is_frozen(self) -> None:
        """A module that defines errors is in the frozen table (so none is forgotten)."""
        defining = {
            value.__module__
            for value in vars(every).values()
            if isinstance(value, type) and issubclass(value, CrmkitError)
        }
        assert defining <= set(ERRORS_IN)
