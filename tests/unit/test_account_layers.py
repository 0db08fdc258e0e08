"""The customer account modules keep to their layer (domain, services, adapters)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).parent.parent.parent / "src" / "crmkit"

DOMAIN = ["domain/accounts.py", "domain/account_errors.py", "domain/deduction.py"]
SERVICES = ["services/accounts.py", "services/account_ports.py", "services/account_steps.py"]


def imported(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def allowed(module: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``module`` is the standard library, attrs or under one of ``prefixes``."""
    top = module.split(".", maxsplit=1)[0]
    return top in sys.stdlib_module_names or top == "attrs" or module.startswith(prefixes)


class TestLayers:
    """Domain imports only stdlib, attrs and the domain; services add the services."""

    def test_domain_modules_import_only_the_domain(self) -> None:
        """domain/accounts, account_errors and deduction import no services or adapters."""
        for name in DOMAIN:
            bad = {m for m in imported(SRC / name) if not allowed(m, ("crmkit.domain",))}
            assert bad == set(), f"{name} imports {bad}"

    def test_service_modules_import_no_adapter_or_driver(self) -> None:
        """services/accounts and account_ports import only the domain and the services."""
        for name in SERVICES:
            found = imported(SRC / name)
            bad = {m for m in found if not allowed(m, ("crmkit.domain", "crmkit.services"))}
            assert bad == set(), f"{name} imports {bad}"

    def test_the_walker_sees_imports(self) -> None:
        """The import walker finds the domain imports of deduction.py (the check can fail)."""
        found = imported(SRC / "domain/deduction.py")
        assert {"crmkit.domain.accounts", "attrs", "json"} <= found
        assert not allowed("crmkit.services.ports", ("crmkit.domain",))
        assert not allowed("sqlalchemy", ("crmkit.domain",))
