"""The layers import only what they may: a checked rule, not a convention."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "crmkit"

ALLOWED = {
    "domain": {"attrs", "crmkit.domain"},
    "services": {"attrs", "crmkit.domain", "crmkit.services"},
}
DRIVERS = {"sqlalchemy", "alembic", "pymongo", "bson", "psycopg", "pymysql", "secantus"}
# Only these may import crmkit.adapters: the composition root, the command line, the test
# support package and crmkit.sql, the public face of the SQL adapter for an application's
# Alembic environment (importing it is opting in to SQLAlchemy).
ADAPTER_IMPORTERS = {"bootstrap.py", "cli.py", "demo.py", "testing", "sql.py"}


def imports_of(path: Path) -> set[str]:
    """Every module name ``path`` imports (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def is_allowed(module: str, allowed: set[str]) -> bool:
    top = module.split(".", maxsplit=1)[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    return any(module == a or module.startswith(a + ".") for a in allowed)


class TestLayering:
    """Domain and services stay free of drivers and adapters."""

    @pytest.mark.parametrize("layer", sorted(ALLOWED))
    def test_layer_imports_only_what_it_may(self, layer: str) -> None:
        """domain/ imports stdlib, attrs and itself; services/ adds the domain and itself."""
        files = sorted((SRC / layer).rglob("*.py"))
        assert files
        offending = {
            f"{path.relative_to(SRC)}: {module}"
            for path in files
            for module in imports_of(path)
            if not is_allowed(module, ALLOWED[layer])
        }
        assert offending == set()

    def test_only_the_composition_root_imports_adapters(self) -> None:
        """Outside adapters/, only bootstrap, the CLI, the demo and crmkit.testing import them."""
        offending = set()
        for path in SRC.rglob("*.py"):
            relative = path.relative_to(SRC)
            if relative.parts[0] in {"adapters", *ADAPTER_IMPORTERS}:
                continue
            if relative.name == "__init__.py" and len(relative.parts) == 1:
                continue  # the package root re-exports the clocks
            offending |= {
                f"{relative}: {m}" for m in imports_of(path) if m.startswith("crmkit.adapters")
            }
        assert offending == set()

    def test_only_adapters_import_drivers(self) -> None:
        """Drivers appear in adapters (and lazily in bootstrap), nowhere else in src."""
        offending = {
            str(path.relative_to(SRC))
            for path in SRC.rglob("*.py")
            if path.relative_to(SRC).parts[0] not in {"adapters", "bootstrap.py"}
            and {m.split(".")[0] for m in imports_of(path)} & DRIVERS
        }
        assert offending == set()

    def test_importing_crmkit_loads_no_driver(self) -> None:
        """`import crmkit` creates nothing and imports no SQLAlchemy, pymongo or driver."""
        code = (
            "import sys, crmkit, crmkit.services, crmkit.domain\n"
            "drivers = {'sqlalchemy', 'pymongo', 'bson', 'psycopg', 'pymysql', 'alembic'}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in drivers))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "[]"
