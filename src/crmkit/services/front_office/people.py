"""The directory: users (reps), teams and each user's manager (the org chart)."""

from __future__ import annotations

import attrs

from crmkit.domain import ValidationError
from crmkit.domain.front_office.people import TEAMS, USERS, Team, User
from crmkit.domain.record_query import Equals
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import TenantService

MAX_CHAIN = 50


@checked_calls
class DirectoryService(TenantService):
    """Users, teams and managers of one tenant."""

    def add_team(self, team: Team) -> Team:
        """Store a new team (see :meth:`Team.new`).

        Raises:
            DuplicateRecord: the code is taken.
        """
        return self._add_record(TEAMS, lambda uow: team)

    def add_user(self, user: User) -> User:
        """Store a new user (see :meth:`User.new`); its team and manager must exist.

        Raises:
            NotFound: the team or the manager does not exist.
            DuplicateRecord: the login is taken.
        """

        def checked(uow: UnitOfWork) -> User:
            if user.team_id is not None:
                uow.records(TEAMS).get(user.team_id)
            if user.manager_id is not None:
                uow.records(USERS).get(user.manager_id)
            return user

        return self._add_record(USERS, checked)

    def set_manager(self, user_id: str, manager_id: str | None) -> User:
        """Set (or clear) a user's manager; the org chart stays a tree.

        Raises:
            NotFound: no such user or manager.
            ValidationError: the user would (indirectly) manage itself.
        """

        def change(uow: UnitOfWork) -> User:
            users = uow.records(USERS)
            user = users.get(user_id)
            if manager_id is not None:
                manager = users.get(manager_id)
                chain = [manager, *self._chain(uow, manager)]
                if any(m.id == user.id for m in chain):
                    raise ValidationError(
                        f"user {manager.login!r} cannot manage {user.login!r}: "
                        f"{user.login!r} is already above it in the org chart."
                    )
            return attrs.evolve(user, manager_id=manager_id)

        return self._update_record(USERS, change)

    def managers_of(self, user_id: str) -> list[User]:
        """The user's managers, nearest first (the approval chain).

        Raises:
            NotFound: no such user.
        """
        with self._uow() as uow:
            return self._chain(uow, uow.records(USERS).get(user_id))

    def team_members(self, team_code: str) -> list[User]:
        """The active users of a team, by name (at most 500).

        Raises:
            NotFound: no such team.
        """
        with self._uow() as uow:
            team = uow.records(TEAMS).get_by("code", team_code)
            members = uow.records(USERS).find(
                Equals("team_id", team.id), Equals("active", True), order_by="name", limit=500
            )
            return list(members.items)

    @staticmethod
    def _chain(uow: UnitOfWork, user: User) -> list[User]:
        chain: list[User] = []
        current = user
        while current.manager_id is not None and len(chain) < MAX_CHAIN:
            current = uow.records(USERS).get(current.manager_id)
            if any(m.id == current.id for m in chain):
                break
            chain.append(current)
        return chain
