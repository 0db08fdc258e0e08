"""Statements of the customer account service: a page of the journal with balances."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from crmkit.domain import ValidationError, utc_millis
from crmkit.domain.accounts import (
    Fund,
    FundBalance,
    JournalEntry,
    Ledger,
)
from crmkit.services.account_steps import (
    balance_at,
    current_account,
)
from crmkit.services.accounts_base import AccountsBase
from crmkit.services.boundary import checked_calls
from crmkit.services.pagination import check_page_size, decode_cursor, encode_cursor
from crmkit.services.ports import UnitOfWork


@attrs.frozen
class Statement:
    """A page of an account's journal, with the fund balances at the period's ends."""

    account_id: str
    currency: str
    fund: Fund | None
    since: datetime | None
    until: datetime | None
    opening: dict[Fund, FundBalance]
    closing: dict[Fund, FundBalance]
    entries: tuple[JournalEntry, ...]
    next_cursor: str | None


Act = Callable[[UnitOfWork, Ledger], Sequence[str]]


@checked_calls
class AccountStatements(AccountsBase):
    """Statements of an account's journal."""

    # -- statement ----------------------------------------------------------------------

    def statement(
        self,
        account_id: str,
        *,
        fund: Fund | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Statement:
        """A page of the account's journal for ``fund`` (``None``: all) in ``[since, until)``.

        ``opening``/``closing`` are each fund's balance and held amount at ``since`` and
        ``until`` (now, if open). Pass ``next_cursor`` back for the next page.

        Raises:
            NotFound: no such account.
            ValidationError: the page size is outside 1..500 or the cursor is not valid.
        """
        check_page_size(limit)
        after = 0
        if cursor is not None:
            raw = decode_cursor(cursor, 1)[0]
            if not raw.isdigit():
                raise ValidationError(f"cursor {cursor!r} is not a cursor of this statement.")
            after = int(raw)
        start = None if since is None else utc_millis(since)
        end = None if until is None else utc_millis(until)
        funds = [fund] if fund is not None else list(Fund)
        with self._uow() as uow:
            account = current_account(uow, account_id, self._clock.now())
            rows = uow.journal.page(
                account_id, fund=fund, since=start, until=end, after_seq=after, limit=limit + 1
            )
            opening = {f: balance_at(uow, account_id, f, start) for f in funds}
            closing = {
                f: account.fund(f) if end is None else balance_at(uow, account_id, f, end)
                for f in funds
            }
        items = tuple(rows[:limit])
        more = len(rows) > limit
        return Statement(
            account_id=account_id,
            currency=account.currency,
            fund=fund,
            since=start,
            until=end,
            opening=opening,
            closing=closing,
            entries=items,
            next_cursor=encode_cursor([str(items[-1].seq)]) if more else None,
        )
