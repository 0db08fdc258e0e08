"""The public import surface: one module per area, each with a complete ``__all__``."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from crmkit.domain.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]

# The public modules and the names a user of the order flow needs from each. A new area
# (crmkit.orders, ...) is added here with one line.
PUBLIC: dict[str, set[str]] = {
    "crmkit": {"open_crm", "open_storage", "upgrade_database", "Crm", "TenantServices",
               "Money", "Quantity", "Rounding", "ProductId", "TenantId", "FixedClock",
               "SystemClock", "Page", "CrmkitError", "__version__"},
    "crmkit.errors": {"CrmkitError", "ValidationError", "NotFound", "WrongTenant",
                      "InsufficientStock", "InsufficientFunds", "NoPriceFound"},
    "crmkit.catalog": {"CatalogService", "Product", "ProductFilter", "Page"},
    "crmkit.pricing": {"PricingCustomer", "PriceListScope", "EntryInput", "LineInput",
                       "PricingPolicy", "ResolutionMode", "SalesOrder", "QuoteService"},
    "crmkit.accounts": {"Fund", "DeductionPolicy", "OrderLine", "TradeMode",
                        "CustomerAccountService", "InsufficientFunds"},
    "crmkit.inventory": {"ReservationRequest", "AllocationStrategy", "ShortagePolicy",
                         "InventoryService", "InsufficientStock", "Warehouse"},
    "crmkit.orders": {"OrderService", "OrderLineInput", "OrderOutcome", "SalesOrderStatus",
                      "ApprovalRule", "NumberPatterns", "EventName", "OutboxService"},
    "crmkit.front_office": {"CustomerService", "PoolService", "LeadService", "ActivityService",
                            "DirectoryService", "OpportunityService", "Customer"},
    "crmkit.field_work": {"VisitService", "WorkOrderService", "ShelfCheckService",
                          "BusinessCalendar", "Step", "ShelfLine"},
    "crmkit.serialization": {"converter", "to_json", "from_json", "to_data", "from_data"},
    "crmkit.testing": {"fresh_tenant"},
    "crmkit.testing.contracts": {"UnitOfWorkContract", "ProductRepositoryContract"},
    "crmkit.receivables": {"PaymentService", "PaymentPlanService", "RefundService", "Payment",
                            "PaymentPlan", "Refund", "AllocationExceedsOpenAmount"},
    "crmkit.process": {"ApprovalService", "ApprovalStep", "ApproverKind", "StepMode",
                       "ApprovalFlow", "ApprovalInstance", "condition_from_json",
                       "condition_to_json", "evaluate", "check_condition", "All", "AnyOf",
                       "Not", "In", "Between", "IsEmpty", "ChangedTo", "DaysFromNow",
                       "InvalidCondition",
                       "WorkflowService", "ProcessService", "RuleAction", "Notice", "Notifier",
                       "create_task", "set_field", "notify", "create_payment_plan",
                       "return_to_pool", "days_after_due", "ProcessStage", "StageTask",
                       "Transition", "ProcessStepRefused", "InstanceStatus", "TIME_EVENT",
                       "ApprovalEvent"},
    "crmkit.sql": {"include_object", "VERSION_LOCATION", "BRANCH_LABEL", "upgrade_database"},
}  # fmt: skip

# docs/extending.md is the contributors' guide to adding an area inside crmkit: its worked
# example imports crmkit's internal modules on purpose.
INTERNALS_GUIDE = ROOT / "docs" / "extending.md"
DOC_PAGES = sorted(
    page for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")] if page != INTERNALS_GUIDE
)


def python_blocks(page: Path) -> list[str]:
    """The Python code blocks of a Markdown page."""
    text = page.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


def crmkit_imports(code: str) -> set[str]:
    """The crmkit modules a code block imports from."""
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "crmkit"}


def all_errors() -> set[type[CrmkitError]]:
    """Every CrmkitError subclass defined in crmkit (after importing every public module)."""
    for module in PUBLIC:
        importlib.import_module(module)
    seen: set[type[CrmkitError]] = set()
    todo: list[type[CrmkitError]] = [CrmkitError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("crmkit.") and not cls.__name__.startswith("_"):
            seen.add(cls)
        todo.extend(cls.__subclasses__())
    return {cls for cls in seen if not cls.__module__.startswith("crmkit.testing")}


class TestPublicModules:
    """Each public module lists what it exports, and exports what users need."""

    @pytest.mark.parametrize("module", sorted(PUBLIC))
    def test_all_lists_importable_names(self, module: str) -> None:
        """Every name in ``__all__`` exists in the module."""
        imported = importlib.import_module(module)
        missing = [name for name in imported.__all__ if not hasattr(imported, name)]
        assert missing == []

    @pytest.mark.parametrize("module", sorted(PUBLIC))
    def test_module_exports_what_the_order_flow_needs(self, module: str) -> None:
        """The names the order flow needs from this area are in its ``__all__``."""
        imported = importlib.import_module(module)
        assert PUBLIC[module] - set(imported.__all__) == set()

    def test_every_error_is_in_crmkit_errors(self) -> None:
        """Each CrmkitError subclass crmkit defines is importable from crmkit.errors."""
        errors = importlib.import_module("crmkit.errors")
        missing = {
            cls.__name__ for cls in all_errors() if getattr(errors, cls.__name__, None) is not cls
        }
        assert missing == set()


class TestDocsImportOnlyPublicModules:
    """No example in the docs needs a deep import."""

    @pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
    def test_examples_import_public_modules_only(self, page: Path) -> None:
        """Every crmkit import in the page's Python blocks names a public module."""
        deep = {
            module
            for block in python_blocks(page)
            for module in crmkit_imports(block)
            if module not in PUBLIC
        }
        assert deep == set()

    @pytest.mark.parametrize("demo", ["demo", "demo_front_office", "demo_receivables"])
    def test_the_demos_import_public_modules_only(self, demo: str) -> None:
        """The demos read as a user's code: crmkit imports name public modules (or a demo)."""
        source = (ROOT / "src" / "crmkit" / f"{demo}.py").read_text(encoding="utf-8")
        deep = {
            module
            for module in crmkit_imports(source)
            if module not in PUBLIC and not module.startswith("crmkit.demo")
        }
        assert deep == set()


def test_the_pricing_customer_is_not_the_front_office_customer() -> None:
    """``crmkit.pricing`` names its buyer ``PricingCustomer``: no second ``Customer``."""
    pricing = importlib.import_module("crmkit.pricing")
    front_office = importlib.import_module("crmkit.front_office")
    assert not hasattr(pricing, "Customer")
    assert pricing.PricingCustomer is not front_office.Customer
