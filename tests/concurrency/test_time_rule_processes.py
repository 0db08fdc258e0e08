"""Time rules fire exactly once per (rule, record, date value) across scanners killed with
SIGKILL mid-scan (PostgreSQL, MariaDB, MongoDB): the firing key and the rule's effects are
one unit of work."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

from crmkit import open_storage
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.people import TASKS
from crmkit.domain.record_query import Equals
from crmkit.domain.workflows import WORKFLOW_CALLS, WORKFLOW_FIRINGS, WorkflowRule
from crmkit.process import create_task, notify, set_field
from crmkit.services import Storage
from tests.concurrency.test_workflow_processes import _all, crash_url
from tests.concurrency.workflow_workers import time_scanner
from tests.process.support import T0, Place, place

__all__ = ["crash_url"]  # the shared fixture, imported for pytest

SQL = {"customers": 16, "rounds": 2, "workers": 2}
MONGO = {"customers": 3, "rounds": 1, "workers": 1}


def time_rule(where: Place) -> WorkflowRule:
    """A rule on each customer's creation day with a task, a field and a call out."""
    return where.services.workflows.define_time_rule(
        "Welcome", record_type="customer", date_field="created_at", offset_days=0,
        actions=[create_task(where.rep.id, "T {code}"), set_field("custom.tier", "gold"),
                 notify("sms", "n {code}")],
    )  # fmt: skip


def check_once(where: Place, rule: WorkflowRule) -> set[str]:
    """Each customer fired at most once, with exactly its effects; returns the fired keys."""
    firings = _all(where, WORKFLOW_FIRINGS, Equals("rule_id", rule.id))
    by_key = Counter(f.record_key for f in firings)
    assert set(by_key.values()) <= {1}
    fired = {str(k) for k in by_key}
    codes = {c.id: c.code for c in where.customers}
    titles = Counter(t.title for t in _all(where, TASKS, Equals("assignee_id", where.rep.id)))
    assert titles == Counter(f"T {codes[k]}" for k in fired)
    gold = {c.id for c in _all(where, CUSTOMERS) if c.custom.get("tier") == "gold"}
    assert gold == fired
    calls = {c.id for c in _all(where, WORKFLOW_CALLS)}
    assert calls == {f"{f.id}.{rule.id}.03" for f in firings}
    return fired


def first_firing(where: Place, rule: WorkflowRule, within: float = 120) -> None:
    """Wait until the rule has fired for some record (the kills then land mid-scan, not
    before a loaded machine's scanner has connected)."""
    deadline = time.monotonic() + within
    while not _all(where, WORKFLOW_FIRINGS, Equals("rule_id", rule.id)):
        assert time.monotonic() < deadline, "no scanner fired anything"
        time.sleep(0.02)


class TestTimeRulesSurviveKilledScanners:
    """Scanners killed with SIGKILL leave every due firing done once or not at all."""

    def test_each_record_fires_once(self, crash_url: tuple[str, str], tmp_path: Path) -> None:
        """Kill racing scanners at random moments; then (SQL) a last scan fires the rest
        once."""
        kind, url = crash_url
        shape = MONGO if kind == "mongo" else SQL
        storage: Storage = open_storage(url, upgrade_schema=True)
        context = multiprocessing.get_context("spawn")
        rng = random.Random(16)
        try:
            where = place(storage, customers=shape["customers"])
            rule = time_rule(where)
            for _ in range(shape["rounds"]):
                workers = []
                for _ in range(shape["workers"]):
                    ready = context.Event()
                    process = context.Process(
                        target=time_scanner,
                        args=(url, where.tenant, T0.date().isoformat(), ready),
                    )
                    process.start()
                    workers.append((process, ready))
                for _, ready in workers:
                    assert ready.wait(180), "a scanner did not start"
                first_firing(where, rule)
                for process, _ in workers:
                    time.sleep(rng.uniform(0.05, 0.5))
                    assert process.is_alive(), f"scanner exited with {process.exitcode}"
                    assert process.pid is not None
                    os.kill(process.pid, signal.SIGKILL)
                    process.join(10)
                    assert process.exitcode == -signal.SIGKILL
                progressed = check_once(where, rule)
            assert progressed, "no scanner fired anything before it was killed"
            if kind == "mongo":
                return  # a killed transaction holds its documents ~60 s: no finishing scan
            workflows = where.services.workflows
            while workflows.run_due(T0.date(), limit=50):
                pass
            assert check_once(where, rule) == {c.id for c in where.customers}
            assert workflows.run_due(T0.date()) == 0
        finally:
            storage.close()
