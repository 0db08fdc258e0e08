"""The worked example of docs/field-and-service.md runs as written, on every backend."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crmkit.domain.field_work.work_orders import WorkOrderStatus
from crmkit.services import Storage

DOC = Path(__file__).resolve().parents[2] / "docs" / "field-and-service.md"
BLOCK = re.compile(r"<!-- example: story -->\n```python\n(.*?)```", re.DOTALL)


class TestWorkedExample:
    """The documentation's story is executable."""

    def test_the_story_runs(self, storage: Storage) -> None:
        """A store audit completed in the radius; a work order due after the holidays."""
        match = BLOCK.search(DOC.read_text(encoding="utf-8"))
        assert match is not None
        scope: dict[str, Any] = {"storage": storage}
        exec(compile(match.group(1), str(DOC), "exec"), scope)
        assert scope["done"].status is WorkOrderStatus.RESOLVED
