"""Write-behind on PostgreSQL (queued writes sent in one psycopg pipeline) and writes run at
once give the same outcome and the same errors; a failed queued write leaves nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from crmkit.adapters.sql import SqlStorage, write_behind
from crmkit.domain import ConcurrencyConflict, CrmkitError, DuplicateRecord
from crmkit.domain.requests import ProcessedRequest
from crmkit.testing.order_support import T0, OrderWorld, open_world
from tests.storage.test_direct_path import _order_flow

pytestmark = pytest.mark.postgres

Outcome = tuple[type[CrmkitError], str, str]


def _pipelines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of statements of each pipeline sent from now on."""
    sent: list[int] = []
    real = write_behind.send

    def counted(connection: Any, plans: Any, writes: Any, *kept: Any) -> Any:
        sent.append(len(writes))
        return real(connection, plans, writes, *kept)

    monkeypatch.setattr(write_behind, "send", counted)
    return sent


def _outcome(error: CrmkitError, world: OrderWorld, *ids: str) -> Outcome:
    """The error's class, code and message, with this world's tenant and ids masked."""
    message = str(error).replace(world.tenant, "<tenant>")
    for n, record_id in enumerate(ids):
        message = message.replace(record_id, f"<id{n}>")
    return type(error), error.code, message


def _stale_order_update(storage: SqlStorage) -> Outcome:
    """An account update (fine) and an update of an order at a version moved on since, in
    one unit of work: the commit refuses both."""
    world = open_world(storage)
    draft = world.order("1")
    world.orders.confirm(draft.id, key="confirm-stale")  # the draft's version moves on
    before = world.state()

    def work() -> None:
        with storage.unit_of_work(world.tenant) as uow:
            account = uow.customer_accounts.get(world.account_id)
            uow.customer_accounts.update(account)
            uow.sales_orders.update(draft)
            uow.commit()

    with pytest.raises(ConcurrencyConflict) as raised:
        work()
    assert world.state() == before
    return _outcome(raised.value, world, draft.id)


def _stale_update_then_error(storage: SqlStorage) -> Outcome:
    """An update of an order at a version moved on since, then an error computed from the
    rows it read: the update's conflict comes first, as it would have at once."""
    world = open_world(storage)
    draft = world.order("1")
    world.orders.confirm(draft.id, key="confirm-stale")

    def work() -> None:
        with storage.unit_of_work(world.tenant) as uow:
            uow.customer_accounts.get(world.account_id)
            uow.sales_orders.update(draft)
            raise ValueError("computed from a stale order")

    with pytest.raises(ConcurrencyConflict) as raised:
        work()
    return _outcome(raised.value, world, draft.id)


def _duplicate_reservation(storage: SqlStorage) -> Outcome:
    """An account update (fine) and a reservation whose id is taken, then a read whose own
    failure a handler would catch: the handler does not take the insert's error."""
    world = open_world(storage)
    confirmed = world.confirmed("1").order
    with storage.unit_of_work(world.tenant) as uow:
        taken = uow.reservations.for_order(confirmed.id, open_only=False)[0]
    before = world.state()
    swallowed: list[CrmkitError] = []

    def work() -> None:
        with storage.unit_of_work(world.tenant) as uow:
            account = uow.customer_accounts.get(world.account_id)
            uow.customer_accounts.update(account)
            uow.reservations.add(taken)
            try:
                uow.sales_orders.get(confirmed.id)
            except DuplicateRecord as error:  # only the read's own failure belongs here
                swallowed.append(error)
            uow.commit()

    with pytest.raises(DuplicateRecord) as raised:
        work()
    assert not swallowed
    assert world.state() == before
    return _outcome(raised.value, world, taken.id)


def _stale_update_before_duplicate(storage: SqlStorage) -> Outcome:
    """A stale order update, then a reservation whose id is taken, sent in one pipeline:
    the update's conflict comes first, though the server refused the insert."""
    world = open_world(storage)
    confirmed = world.confirmed("1").order
    draft = world.order("1")
    world.orders.confirm(draft.id, key="confirm-stale")
    with storage.unit_of_work(world.tenant) as uow:
        taken = uow.reservations.for_order(confirmed.id, open_only=False)[0]
    before = world.state()

    def work() -> None:
        with storage.unit_of_work(world.tenant) as uow:
            uow.customer_accounts.get(world.account_id)
            uow.sales_orders.update(draft)
            uow.reservations.add(taken)
            uow.commit()

    with pytest.raises(ConcurrencyConflict) as raised:
        work()
    assert world.state() == before
    return _outcome(raised.value, world, draft.id)


def _own_duplicate_caught(storage: SqlStorage) -> Outcome:
    """A queued account update, then a request key taken already: the handler around the
    key's insert catches that insert's own error, and nothing is committed."""
    world = open_world(storage)
    key = "confirm-twice"
    world.orders.confirm(world.order("1").id, key=key)
    before = world.state()
    caught: list[DuplicateRecord] = []
    with storage.unit_of_work(world.tenant) as uow:
        account = uow.customer_accounts.get(world.account_id)
        uow.customer_accounts.update(account)
        try:
            uow.requests.add(ProcessedRequest(world.tenant, key, "order.confirm", "f", "r", T0))
        except DuplicateRecord as error:
            caught.append(error)
    assert world.state() == before
    assert len(caught) == 1
    return _outcome(caught[0], world)


class TestWriteBehind:
    """PostgreSQL with write-behind on and off."""

    def test_an_order_flow_ends_the_same_with_it_on_and_off(
        self, postgres_storage: SqlStorage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Confirm and deliver; with it on several writes shared a pipeline, off none ran."""
        sent = _pipelines(monkeypatch)
        on = _order_flow(postgres_storage)
        assert max(sent) > 2
        sent.clear()
        monkeypatch.setattr(write_behind, "ENABLED", False)
        off = _order_flow(postgres_storage)
        assert not sent
        assert on == off

    @pytest.mark.parametrize(
        "scenario",
        [
            _stale_order_update,
            _stale_update_then_error,
            _duplicate_reservation,
            _stale_update_before_duplicate,
            _own_duplicate_caught,
        ],
    )
    def test_a_failed_write_raises_the_same_error_and_changes_nothing(
        self,
        postgres_storage: SqlStorage,
        monkeypatch: pytest.MonkeyPatch,
        scenario: Callable[[SqlStorage], Outcome],
    ) -> None:
        """The same error class, code and message with it on (the write queued) and off."""
        sent = _pipelines(monkeypatch)
        on = scenario(postgres_storage)
        assert sent, "no write was queued"
        monkeypatch.setattr(write_behind, "ENABLED", False)
        sent.clear()
        off = scenario(postgres_storage)
        assert not sent
        assert on == off

    def test_a_callers_connection_sees_each_write_at_once(
        self, postgres_storage: SqlStorage
    ) -> None:
        """Over a caller's connection (crmkit in an ERP's transaction) nothing is queued: the
        caller's own statement on that connection, inside the unit of work, reads the write."""
        world = open_world(postgres_storage)
        engine = postgres_storage.source
        assert isinstance(engine, sa.Engine)
        with engine.connect() as connection, connection.begin():
            storage = SqlStorage(connection)
            with storage.unit_of_work(world.tenant) as uow:
                account = uow.customer_accounts.get(world.account_id)
                uow.customer_accounts.update(account)
                stored = connection.execute(
                    sa.text("SELECT version FROM crmkit_customer_account WHERE id = :id"),
                    {"id": account.id},
                ).scalar_one()
                assert stored == account.version + 1
                uow.commit()
