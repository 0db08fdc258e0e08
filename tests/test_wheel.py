"""The built wheel installs into a fresh virtual environment with no extras and works."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SMOKE = """
import importlib.util, crmkit
from crmkit import Money, open_crm
with open_crm("memory://") as crm:
    tea = crm.tenant("acme").catalog.create_product(
        sku="TEA-01", name="Tea", unit="tin", tax_rate="0.13")
    assert crm.tenant("acme").catalog.get_product_by_sku("TEA-01") == tea
try:
    open_crm("sqlite:///x.db")
except crmkit.ConfigurationError as missing:
    assert "crmkit[sql]" in str(missing), missing
else:
    raise AssertionError("sqlite opened without the sql extra")
drivers = ["sqlalchemy", "alembic", "pymongo", "psycopg", "pymysql", "hypothesis"]
assert [d for d in drivers if importlib.util.find_spec(d)] == [], "an extra was installed"
print(crmkit.__version__, Money("1.50", "CNY"))
"""


def run(*command: str | Path, cwd: Path) -> str:
    """Run a command, failing the test with its output if it fails."""
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.memory
class TestWheel:
    """What `pip install crmkit` gives a new user."""

    def test_wheel_installs_without_extras_and_runs_the_memory_backend(
        self, tmp_path: Path
    ) -> None:
        """Build, install into a new venv, run: no driver is pulled in, memory:// works."""
        dist = tmp_path / "dist"
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT,
            cwd=tmp_path)  # fmt: skip
        (wheel,) = dist.glob("crmkit-*.whl")
        names = set(zipfile.ZipFile(wheel).namelist())
        assert "crmkit/py.typed" in names
        assert "crmkit/adapters/sql/migrations/versions/0001_foundation.py" in names
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = zipfile.ZipFile(wheel).read(metadata).decode()
        assert "Provides-Extra: postgresql" in text
        assert "pip install crmkit" in text
        env = tmp_path / "venv"
        venv.create(env, with_pip=True)
        python = env / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel,
            cwd=tmp_path)  # fmt: skip
        out = run(python, "-c", SMOKE, cwd=tmp_path)
        assert out.split()[0] == __import__("crmkit").__version__
