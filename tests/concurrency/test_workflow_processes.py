"""Workflow rules fire exactly once per event across consumers killed with SIGKILL
mid-batch (PostgreSQL, MariaDB, MongoDB): a rule's effects and the consumer's position are
one unit of work; calls out are delivered at least once, first deliveries in key order."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmkit import open_storage
from crmkit.domain.front_office.people import TASKS
from crmkit.domain.outbox import OutboxEvent
from crmkit.domain.record_query import Equals
from crmkit.domain.workflows import WORKFLOW_CALLS, WORKFLOW_FIRINGS
from crmkit.process import In, create_task, notify, set_field
from crmkit.services import Storage
from crmkit.services.workflows import CONSUMER
from tests.backends import MARIADB_URL, POSTGRES_URL
from tests.concurrency.workflow_workers import FileNotifier, rule_consumer
from tests.process.support import PING, Place, place

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
SQL = {"customers": 6, "events": 300, "rounds": 4, "workers": 2}
MONGO = {"customers": 3, "events": 24, "rounds": 4 if THOROUGH else 2, "workers": 1}
"""A killed transaction keeps its MongoDB test server documents locked for about 60 s, so
every MongoDB kill gets a tenant of its own, with little data."""


def _all(where: Place, record_type: Any, *filters: object) -> list[Any]:
    found: list[Any] = []
    after = None
    with where.uow() as uow:
        while True:
            page = uow.records(record_type).find(*filters, after=after, limit=500)
            found.extend(page.items)
            if page.next_cursor is None:
                return found
            after = page.next_cursor


class Tenant:
    """A tenant with two rules and ``events`` ping events spread over its customers."""

    def __init__(self, storage: Storage, customers: int, events: int) -> None:
        self.where = place(storage, customers=customers)
        picked = [c.code for c in self.where.customers[: customers // 2 + 1]]
        rules = self.where.services.workflows
        self.task_rule = rules.define_rule(
            "Follow up",
            event=PING,
            subject_type="customer",
            subject_key="customer_id",
            condition=In("code", tuple(picked)),
            actions=[
                create_task(self.where.rep.id, "T {position}"),
                set_field("custom.tier", "gold"),
                notify("sms", "n {position}"),
            ],
        )
        self.tell_rule = rules.define_rule("Tell", event=PING, actions=[notify("mail", "m")])
        self.events: list[OutboxEvent] = []
        self.matching: set[int] = set()
        for n in range(events):
            customer = self.where.customers[n % customers]
            event = self.where.emit(PING, customer.id, customer_id=customer.id)
            self.events.append(event)
            if customer.code in picked:
                self.matching.add(event.position)

    def position(self) -> int:
        """The rule consumer's stored position."""
        with self.where.uow() as uow:
            found = uow.outbox_consumers.get(CONSUMER)
        return 0 if found is None else found.position

    def check_exactly_once(self) -> int:
        """Every event up to the consumer's position fired its rules once with all their
        effects; no event after it fired anything. Returns the position."""
        position = self.position()
        done = {e.position for e in self.events if e.position <= position}
        matched = self.matching & done
        firings = _all(self.where, WORKFLOW_FIRINGS)
        by_rule = Counter((f.rule_id, f.position) for f in firings)
        assert set(by_rule.values()) <= {1}
        assert {p for r, p in by_rule if r == self.task_rule.id} == matched
        assert {p for r, p in by_rule if r == self.tell_rule.id} == done
        titles = Counter(
            t.title for t in _all(self.where, TASKS, Equals("assignee_id", self.where.rep.id))
        )
        assert titles == Counter(f"T {p}" for p in matched)
        calls = {c.id for c in _all(self.where, WORKFLOW_CALLS)}
        expected = {f"{p:012d}.{self.task_rule.id}.03" for p in matched}
        expected |= {f"{p:012d}.{self.tell_rule.id}.01" for p in done}
        assert calls == expected
        return position

    def check_deliveries(self, path: Path, complete: bool) -> None:
        """Delivered keys are calls; each key's first delivery comes in key order; with
        ``complete`` every call was delivered."""
        keys = path.read_text().split() if path.exists() else []
        calls = {c.id for c in _all(self.where, WORKFLOW_CALLS)}
        first = list(dict.fromkeys(keys))
        assert set(first) <= calls
        assert first == sorted(first)
        if complete:
            assert set(first) == calls


def _server(request: pytest.FixtureRequest, kind: str) -> Iterator[str]:
    if kind == "postgres":
        request.getfixturevalue("postgres_storage")
        yield POSTGRES_URL
    elif kind == "mariadb":
        request.getfixturevalue("mariadb_storage")
        yield MARIADB_URL
    else:
        base: str = request.getfixturevalue("mongo_url")
        yield base.replace("/?", f"/crmkit_rules_{os.urandom(4).hex()}?")


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("mongo", marks=pytest.mark.mongo),
    ]
)
def crash_url(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A migrated server database that the killed consumers open themselves, with its kind."""
    for url in _server(request, request.param):
        yield request.param, url


class TestRulesSurviveKilledConsumers:
    """Rule consumers killed with SIGKILL mid-batch leave every event handled once or not."""

    def test_each_event_fires_each_rule_once(
        self, crash_url: tuple[str, str], tmp_path: Path
    ) -> None:
        """Kill racing consumers at random moments; effects match the stored position,
        and (SQL) finishing the run handles every event exactly once."""
        kind, url = crash_url
        shape = MONGO if kind == "mongo" else SQL
        storage: Storage = open_storage(url, upgrade_schema=True)
        context = multiprocessing.get_context("spawn")
        rng = random.Random(16)
        tenants: list[Tenant] = []
        progressed = 0
        try:
            shared = (
                None if kind == "mongo" else Tenant(storage, shape["customers"], shape["events"])
            )
            for _ in range(shape["rounds"]):
                tenant = shared or Tenant(storage, shape["customers"], shape["events"])
                if tenant not in tenants:
                    tenants.append(tenant)
                before = tenant.position()
                notices = tmp_path / f"{tenant.where.tenant}.txt"  # the tenant's deliveries
                workers = []
                for _ in range(shape["workers"]):
                    ready = context.Event()
                    process = context.Process(
                        target=rule_consumer,
                        args=(url, tenant.where.tenant, str(notices), ready),
                    )
                    process.start()
                    workers.append((process, ready))
                for _, ready in workers:
                    assert ready.wait(180), "a consumer did not start"
                # kill only once a consumer has handled something: on a loaded machine a
                # fixed delay can end before any consumer did any work at all
                started = time.monotonic()
                while tenant.position() == before and time.monotonic() - started < 120:
                    time.sleep(0.05)
                for process, _ in workers:
                    time.sleep(rng.uniform(0.1, 0.8))
                    assert process.is_alive(), f"consumer exited with {process.exitcode}"
                    assert process.pid is not None
                    os.kill(process.pid, signal.SIGKILL)
                    process.join(10)
                    assert process.exitcode == -signal.SIGKILL
                after = tenant.check_exactly_once()
                progressed += after > before
                tenant.check_deliveries(notices, complete=False)
            assert progressed, "no consumer got anything done before it was killed"
            if kind != "mongo":
                (tenant,) = tenants
                workflows = tenant.where.services.workflows
                while workflows.run(limit=100):
                    pass
                while workflows.deliver(FileNotifier(str(notices)), limit=100):
                    pass
                assert tenant.check_exactly_once() == tenant.events[-1].position
                tenant.check_deliveries(notices, complete=True)
        finally:
            storage.close()
