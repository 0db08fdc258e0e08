"""People and tasks: users (reps), roles, teams, managers (the org chart), and tasks."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crmkit.domain.custom_fields import CustomValue
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis


class Role(enum.Enum):
    """What a user does in the front office."""

    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


@attrs.frozen
class User:
    """A user of the tenant (a sales rep, a manager); ``login`` is unique in the tenant."""

    id: str
    tenant_id: TenantId
    login: str
    name: str
    role: Role
    team_id: str | None
    manager_id: str | None
    region: str | None
    active: bool
    created_at: datetime
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        login: str,
        name: str,
        role: Role,
        now: datetime,
        team_id: str | None = None,
        manager_id: str | None = None,
        region: str | None = None,
    ) -> User:
        if not isinstance(role, Role):
            raise ValidationError(f"role of user {login!r} must be a Role, not {role!r}.")
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            login=clean_text(login, "user login", max_length=64),
            name=clean_text(name, "user name", max_length=200),
            role=role,
            team_id=clean_optional_text(team_id, "team id", max_length=32),
            manager_id=clean_optional_text(manager_id, "manager id", max_length=32),
            region=clean_optional_text(region, "region", max_length=64),
            active=True,
            created_at=utc_millis(now),
        )


USERS: RecordType[User] = RecordType(
    User,
    entity="User",
    name="user",
    fields=(
        text("id", 32),
        text("login", 64, indexed=True),
        text("name", 200, indexed=True),
        text("role", 16, indexed=True),
        text("team_id", 32, nullable=True, indexed=True),
        text("manager_id", 32, nullable=True, indexed=True),
        text("region", 64, nullable=True, indexed=True),
        scalar("active", FieldKind.BOOLEAN, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    unique=(("login",),),
)


@attrs.frozen
class Team:
    """A sales team; ``code`` is unique in the tenant."""

    id: str
    tenant_id: TenantId
    code: str
    name: str
    leader_id: str | None
    version: int = 1

    @classmethod
    def new(
        cls, tenant_id: TenantId, *, code: str, name: str, leader_id: str | None = None
    ) -> Team:
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            code=clean_text(code, "team code", max_length=32),
            name=clean_text(name, "team name", max_length=200),
            leader_id=clean_optional_text(leader_id, "leader id", max_length=32),
        )


TEAMS: RecordType[Team] = RecordType(
    Team,
    entity="Team",
    name="team",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("name", 200, indexed=True),
        text("leader_id", 32, nullable=True, indexed=True),
    ),
    unique=(("code",),),
)


class TaskStatus(enum.Enum):
    """Where a task stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@attrs.frozen
class Task:
    """A to-do with an assignee and a due time, linked to any record (type and id)."""

    id: str
    tenant_id: TenantId
    title: str
    assignee_id: str
    due_at: datetime
    status: TaskStatus
    subject_type: str | None
    subject_id: str | None
    created_at: datetime
    custom: dict[str, CustomValue]
    version: int = 1


TASKS: RecordType[Task] = RecordType(
    Task,
    entity="Task",
    name="task",
    fields=(
        text("id", 32),
        text("title", 200, indexed=True),
        text("assignee_id", 32, indexed=True),
        scalar("due_at", FieldKind.DATETIME, indexed=True),
        text("status", 16, indexed=True),
        text("subject_type", 32, nullable=True, indexed=True),
        text("subject_id", 32, nullable=True, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    custom_fields=True,
)
