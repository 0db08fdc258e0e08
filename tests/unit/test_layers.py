"""The layering rules, checked by walking every module's imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "crmkit"
DRIVERS = {"sqlalchemy", "alembic", "pymongo", "bson", "psycopg", "pymysql", "secantus"}


def imports_of(path: Path) -> set[str]:
    """The absolute module names ``path`` imports (relative imports are not used in crmkit)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def allowed(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``name`` is from the standard library or starts with an allowed prefix."""
    top = name.split(".", maxsplit=1)[0]
    return top in sys.stdlib_module_names or any(
        name == p or name.startswith(p + ".") for p in prefixes
    )


def modules(layer: str) -> list[Path]:
    """The Python files of ``src/crmkit/<layer>``."""
    return sorted((SRC / layer).rglob("*.py"))


class TestLayers:
    """domain imports nothing of crmkit's outer layers; only adapters import drivers."""

    @pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
    def test_domain_imports_only_the_stdlib_attrs_and_itself(self, path: Path) -> None:
        """A domain module imports the standard library, attrs and crmkit.domain only."""
        bad = {n for n in imports_of(path) if not allowed(n, ("attrs", "crmkit.domain"))}
        assert bad == set()

    @pytest.mark.parametrize("path", modules("services"), ids=lambda p: p.name)
    def test_services_import_the_domain_and_the_ports_only(self, path: Path) -> None:
        """A service module adds crmkit.services to what the domain may import."""
        prefixes = ("attrs", "crmkit.domain", "crmkit.services")
        bad = {n for n in imports_of(path) if not allowed(n, prefixes)}
        assert bad == set()

    def test_only_adapters_import_drivers(self) -> None:
        """Drivers appear in adapters (and lazily in bootstrap), nowhere else in src."""
        offenders = [
            str(path.relative_to(SRC))
            for path in SRC.rglob("*.py")
            if path.relative_to(SRC).parts[0] not in {"adapters", "bootstrap.py"}
            and {n.split(".")[0] for n in imports_of(path)} & DRIVERS
        ]
        assert offenders == []
