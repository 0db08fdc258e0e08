"""The worked example of docs/front-office.md runs as written, on every backend."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crmkit.services import Storage

DOC = Path(__file__).resolve().parents[2] / "docs" / "front-office.md"
BLOCK = re.compile(r"<!-- example: story -->\n```python\n(.*?)```", re.DOTALL)


class TestWorkedExample:
    """The documentation's story is executable."""

    def test_the_story_runs(self, storage: Storage) -> None:
        """Lead claimed, converted, won by a quote; an untouched customer goes back."""
        match = BLOCK.search(DOC.read_text(encoding="utf-8"))
        assert match is not None
        scope: dict[str, Any] = {"storage": storage}
        exec(compile(match.group(1), str(DOC), "exec"), scope)
        assert scope["done"].customer_id
