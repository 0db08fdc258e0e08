"""The worked example of docs/process.md runs as written, on every backend."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from crmkit.process import InstanceStatus
from crmkit.services import Storage

DOC = Path(__file__).resolve().parents[2] / "docs" / "process.md"
BLOCK = re.compile(r"<!-- example: workflows -->\n```python\n(.*?)```", re.DOTALL)


class TestWorkedExample:
    """The documentation's story is executable and says what its comments say."""

    def test_the_story_runs(self, storage: Storage) -> None:
        """The order is planned and chased once; the key account goes live via review."""
        match = BLOCK.search(DOC.read_text(encoding="utf-8"))
        assert match is not None
        scope: dict[str, Any] = {"storage": storage}
        exec(compile(match.group(1), str(DOC), "exec"), scope)
        assert scope["chased"] == [f"{scope['plan'].order_number}: instalment 1 is a week late"]
        assert [i.amount for i in scope["plan"].instalments] == [
            scope["plan"].total / 2,
            scope["plan"].total / 2,
        ]
        assert scope["per_stage"] == {"visit": 0, "terms": 1, "live": 0}
        assert scope["late"] == ["Approve the terms"]
        assert scope["done"].status is InstanceStatus.COMPLETED
        assert scope["averages"] == {
            "live": timedelta(0),
            "terms": timedelta(days=3),
            "visit": timedelta(days=2),
        }
