"""What the workflow rule consumers of the crash test run (importable for 'spawn')."""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from crmkit import SystemClock, open_storage
from crmkit.bootstrap import Crm
from crmkit.process import Notice


class FileNotifier:
    """Appends each notice's key to a file (one ``write`` per key, opened for append)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def notify(self, notice: Notice) -> None:
        """Append ``notice.key`` and a newline."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{notice.key}\n".encode())
        finally:
            os.close(fd)


def rule_consumer(url: str, tenant: str, notices: str, ready: Any) -> None:
    """Run the tenant's workflow rules and deliver their calls out in small batches,
    forever (until killed with SIGKILL)."""
    storage = open_storage(url)
    workflows = Crm(storage, SystemClock()).tenant(tenant).workflows
    notifier = FileNotifier(notices)
    ready.set()
    while True:
        handled = workflows.run(limit=5)
        sent = workflows.deliver(notifier, limit=5)
        if not handled and not sent:
            time.sleep(0.02)


def time_scanner(url: str, tenant: str, as_of: str, ready: Any) -> None:
    """Run the tenant's time rules due by ``as_of`` in small batches, forever (until
    killed with SIGKILL)."""
    storage = open_storage(url)
    workflows = Crm(storage, SystemClock()).tenant(tenant).workflows
    day = date.fromisoformat(as_of)
    ready.set()
    while True:
        if not workflows.run_due(day, limit=2):
            time.sleep(0.02)
