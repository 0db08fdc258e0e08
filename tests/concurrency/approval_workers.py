"""What the racing approvers of the approval concurrency test run (importable for 'spawn')."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crmkit import SystemClock, open_storage
from crmkit.bootstrap import Crm
from crmkit.errors import CrmkitError


def approver(url: str, tenant: str, who: tuple[str, str], go: Any, out: str) -> None:
    """Approve ``who`` (instance id, user id), the instance as the user, once ``go`` is
    set; write ``ok`` or the error's code to ``out``."""
    instance_id, user_id = who
    storage = open_storage(url)
    try:
        approvals = Crm(storage, SystemClock()).tenant(tenant).approvals
        approvals.get_instance(instance_id)  # connect before the start
        go.wait(60)
        try:
            approvals.approve(instance_id, user_id, key=f"k-{user_id}-{instance_id}")
            result = "ok"
        except CrmkitError as error:
            result = error.code
        Path(out).write_text(result)
    finally:
        storage.close()
