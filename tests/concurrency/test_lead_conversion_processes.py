"""One lead converted from several OS processes at once (PostgreSQL, MariaDB, MongoDB).

Every process converts the same lead under the same request key: all get the same
conversion, and exactly one customer, one contact and one processed request exist.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import attrs

from crmkit import SystemClock, open_storage
from crmkit.domain import TenantId
from crmkit.domain.front_office.contacts import CONTACTS
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.leads import LEADS, Lead, LeadSource, LeadStatus
from crmkit.services import Storage
from crmkit.services.front_office.leads import LeadService
from crmkit.testing.front_office import T0, add_reps, office

PROCESSES = 4
TIMEOUT_S = 120


def _converter(job: tuple[str, str, str, str], start: Any) -> tuple[dict[str, Any], float, float]:
    """Convert the lead under the shared key; return the conversion."""
    url, tenant, lead_id, user_id = job
    storage = open_storage(url)
    try:
        leads = LeadService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        done = leads.convert(lead_id, customer_code="CONV-1", user_id=user_id, key="convert-1")
        result: dict[str, Any] = attrs.asdict(done)
        return result, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentConversion:
    """Racing conversions under one request key convert once."""

    def test_processes_converting_one_lead_get_one_customer(
        self, backend: tuple[str, Storage]
    ) -> None:
        """4 processes, one key: one conversion returned to all, one customer and contact."""
        url, storage = backend
        place = office(storage)
        (rep,) = add_reps(place, 1)
        lead = place.leads.add(
            Lead.new(
                place.tenant,
                source=LeadSource.TRADE_SHOW,
                company="Racing Tea",
                phone="021 6666 0001",
                owner_id=rep.id,
                now=T0,
            )
        ).lead
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as workers:
            start = manager.Barrier(PROCESSES)
            runs = [
                workers.apply_async(_converter, ((url, place.tenant, lead.id, rep.id), start))
                for _ in range(PROCESSES)
            ]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        assert max(r[1] for r in results) < min(r[2] for r in results), "runs did not overlap"
        conversions = [r[0] for r in results]
        assert all(c == conversions[0] for c in conversions), conversions
        with place.uow() as uow:
            customers = uow.records(CUSTOMERS).find(limit=10).items
            contacts = uow.records(CONTACTS).find(limit=10).items
            stored = uow.records(LEADS).get(lead.id)
            done = uow.requests.get("convert-1")
        assert [c.id for c in customers] == [conversions[0]["customer_id"]]
        assert [c.id for c in contacts] == [conversions[0]["contact_id"]]
        assert stored.status is LeadStatus.CONVERTED
        assert done is not None
