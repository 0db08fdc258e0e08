"""Every Python block of the docs runs: each page's blocks in order, in one namespace.

Two kinds of block run elsewhere, in the context they need: one right after
``<!-- alembic env.py -->`` is an Alembic ``env.py`` (run inside a real Alembic environment by
tests/storage/test_erp_embedding.py), and those after ``<!-- example: NAME -->`` form the
worked example of docs/extending.md (run as modules by tests/storage/test_extending_example.py).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
BLOCK = re.compile(r"(<!-- (?:alembic env\.py|example: \w+) -->\n)?```python\n(.*?)```", re.DOTALL)
ENV_PY = "<!-- alembic env.py -->"


def runnable_blocks(page: Path) -> list[str]:
    """The page's Python blocks that run as they are."""
    text = page.read_text(encoding="utf-8")
    return [code for marker, code in BLOCK.findall(text) if not marker]


def alembic_env_block(page: Path) -> str:
    """The page's Alembic env.py block."""
    text = page.read_text(encoding="utf-8")
    found: list[str] = [code for marker, code in BLOCK.findall(text) if ENV_PY in marker]
    assert len(found) == 1, f"{page.name} should have one {ENV_PY} block"
    return found[0]


@pytest.mark.sqlite
class TestDocExamples:
    """The examples are executable as written."""

    @pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
    def test_page_runs(self, page: Path, tmp_path: Path) -> None:
        """All Python blocks of the page run in order (files go to a fresh folder)."""
        blocks = runnable_blocks(page)
        namespace: dict[str, object] = {"__name__": "__docs__"}
        cwd = Path.cwd()
        os.chdir(tmp_path)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                for code in blocks:
                    exec(compile(code, str(page), "exec"), namespace)
        finally:
            os.chdir(cwd)

    def test_every_page_with_code_is_covered(self) -> None:
        """No page hides Python in another fence (```py, ```python3)."""
        hidden = {
            str(page.relative_to(ROOT))
            for page in PAGES
            if re.search(r"```(py|python3|pycon)\n", page.read_text(encoding="utf-8"))
        }
        assert hidden == set()
