"""The worked example of docs/receivables.md runs and prints what the page shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

PAGE = Path(__file__).parents[2] / "docs" / "receivables.md"


class TestReceivablesWorkedExample:
    """The receivables page's example is executable and its output is current."""

    def test_the_example_prints_the_documented_lifecycle(self) -> None:
        """Running the page's Python block prints exactly the page's output block."""
        text = PAGE.read_text(encoding="utf-8")
        code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
        shown = re.search(r"prints\n\n```\n(.*?)```", text, re.DOTALL)
        assert code is not None
        assert shown is not None
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code.group(1), str(PAGE), "exec"), {})
        assert out.getvalue() == shown.group(1)
