"""Errors of approval flows (each a :class:`CrmkitError` with a stable ``code``)."""

from __future__ import annotations

from crmkit.domain.errors import CrmkitError, ValidationError

__all__ = ["ApprovalPending", "NoApprover", "NotAnApprover", "SelfApproval"]


class NotAnApprover(ValidationError):
    """The user may not decide the instance's current step (not an approver of it, not
    standing in for one, or already approved it)."""

    code = "not_an_approver"


class SelfApproval(NotAnApprover):
    """The user who submitted a record may never approve it, not even as a delegate."""

    code = "self_approval"


class NoApprover(ValidationError):
    """A flow's step has no approver other than the submitter (an inactive user, an empty
    role, a submitter without a manager that far up the org chart)."""

    code = "no_approver"


class ApprovalPending(CrmkitError):
    """The record is held by an approval flow: it is approved or rejected through the
    approval service, by its approvers."""

    code = "approval_pending"
    template = (
        "{entity} {label} waits for approval flow instance {instance_id}; its approvers "
        "decide it with ApprovalService.approve or reject."
    )

    def __init__(self, entity: str, label: str, instance_id: str) -> None:
        self._tell({"entity": entity, "label": label}, instance_id=instance_id)
