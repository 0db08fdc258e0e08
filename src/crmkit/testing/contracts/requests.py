"""The processed-request contract: idempotency keys are unique per tenant and replayable."""

from __future__ import annotations

import threading
from typing import ClassVar

import pytest

from crmkit.domain import DuplicateRecord, DuplicateRequest, TenantId, new_id
from crmkit.domain.requests import ProcessedRequest
from crmkit.services import Storage
from crmkit.services.idempotency import fingerprint, remember, replay
from crmkit.services.retry import retrying
from crmkit.testing.contracts.support import T0
from crmkit.testing.running import run_threads
from crmkit.testing.tenants import fresh_tenant


def a_request(tenant: TenantId, key: str = "req-1", result: str = "r1") -> ProcessedRequest:
    """A processed request under ``key``."""
    return ProcessedRequest(
        tenant_id=tenant,
        key=key,
        operation="test.op",
        fingerprint=fingerprint("test.op", {"key": key}),
        result=result,
        created_at=T0,
    )


class ProcessedRequestContract:
    """Every storage keeps idempotency keys the same way."""

    writers: ClassVar[int] = 6

    def test_a_recorded_request_loads_back_equal(self, storage: Storage) -> None:
        """A committed request is found by its key; an unknown key gives None."""
        tenant = fresh_tenant()
        request = a_request(tenant)
        with storage.unit_of_work(tenant) as uow:
            uow.requests.add(request)
            uow.commit()
        with storage.unit_of_work(tenant) as uow:
            assert uow.requests.get("req-1") == request
            assert uow.requests.get("other") is None

    def test_a_key_is_recorded_once(self, storage: Storage) -> None:
        """Recording a taken key raises DuplicateRecord and keeps the first record."""
        tenant = fresh_tenant()
        first = a_request(tenant, result="first")
        with storage.unit_of_work(tenant) as uow:
            uow.requests.add(first)
            uow.commit()
        with storage.unit_of_work(tenant) as uow, pytest.raises(DuplicateRecord):
            uow.requests.add(a_request(tenant, result="second"))
        with storage.unit_of_work(tenant) as uow:
            assert uow.requests.get("req-1") == first

    def test_keys_are_per_tenant(self, storage: Storage) -> None:
        """Two tenants may use the same key; neither sees the other's."""
        first, second = fresh_tenant(), fresh_tenant()
        with storage.unit_of_work(first) as uow:
            uow.requests.add(a_request(first, result="mine"))
            uow.commit()
        with storage.unit_of_work(second) as uow:
            assert uow.requests.get("req-1") is None
            uow.requests.add(a_request(second, result="theirs"))
            uow.commit()
        with storage.unit_of_work(first) as uow:
            found = uow.requests.get("req-1")
            assert found is not None
            assert found.result == "mine"

    def test_replay_returns_the_first_result_and_refuses_other_content(
        self, storage: Storage
    ) -> None:
        """The same key and content replays; other content raises DuplicateRequest."""
        tenant = fresh_tenant()
        digest = fingerprint("order.convert", {"quote": "Q1", "qty": 2})
        with storage.unit_of_work(tenant) as uow:
            assert replay(uow, "k", "order.convert", digest) is None
            remember(uow, "k", "order.convert", digest, result="SO-1", now=T0)
            uow.commit()
        with storage.unit_of_work(tenant) as uow:
            assert replay(uow, "k", "order.convert", digest) == "SO-1"
            other = fingerprint("order.convert", {"quote": "Q1", "qty": 3})
            with pytest.raises(DuplicateRequest):
                replay(uow, "k", "order.convert", other)
            with pytest.raises(DuplicateRequest):
                replay(uow, "k", "stock.reserve", digest)

    def test_parallel_requests_with_one_key_run_once(self, storage: Storage) -> None:
        """Threads sending the same keyed command: one runs it, all get its result."""
        tenant = fresh_tenant()
        digest = fingerprint("test.once", {})
        barrier = threading.Barrier(self.writers)
        results: list[str] = []

        started = threading.local()

        def command() -> str:
            with storage.unit_of_work(tenant) as uow:
                done = replay(uow, "once", "test.once", digest)
                if done is not None:
                    return done
                if not getattr(started, "racing", False):
                    # Only the first attempt meets the others: a retry that still finds
                    # no result must not wait for threads that have already finished.
                    started.racing = True
                    barrier.wait(timeout=30)
                result = new_id()
                remember(uow, "once", "test.once", digest, result=result, now=T0)
                uow.commit()
                return result

        def send(_: int) -> None:
            results.append(retrying(command))

        run_threads(send, self.writers, timeout=60)
        assert len(results) == self.writers
        assert len(set(results)) == 1
