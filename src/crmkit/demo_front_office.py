"""The front-office demo: a lead claimed from a pool, converted, won by a quote; an untouched
customer going back to the public pool (公海).

Run it with ``crmkit demo front-office`` (a SQLite file by default) or with ``--url URL``.
The clock is controlled, so the seven days of the auto-return rule pass at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from crmkit import FixedClock
from crmkit.bootstrap import open_storage
from crmkit.domain import CrmkitError, TenantId, new_id
from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.follow_ups import FollowUpKind, FollowUpSubject
from crmkit.domain.front_office.leads import Lead, LeadSource
from crmkit.domain.front_office.opportunities import Stage
from crmkit.domain.front_office.people import Role, User
from crmkit.domain.front_office.pools import Pool, PoolKind
from crmkit.services import Storage, UnitOfWork
from crmkit.services.front_office.activity import ActivityService
from crmkit.services.front_office.leads import LeadService, OpportunityDraft
from crmkit.services.front_office.opportunities import OpportunityService
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.front_office.pools import PoolService
from crmkit.services.front_office.quoting import CustomerQuotes

DEFAULT_URL = "sqlite:///crmkit-demo.db"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run(storage: Storage, tenant: TenantId) -> None:
    """Tell the front-office story in ``tenant``."""
    clock = FixedClock(START)

    def uow() -> UnitOfWork:
        return storage.unit_of_work(tenant)

    directory = DirectoryService(uow, clock)
    pools = PoolService(uow, clock)
    leads = LeadService(uow, clock)
    activity = ActivityService(uow, clock)
    deals = OpportunityService(uow, clock)
    quotes = CustomerQuotes(uow, clock)

    li = directory.add_user(User.new(tenant, login="li", name="Li Na", role=Role.REP, now=START))
    print(f"Rep {li.name} joins the Shanghai lead pool (limit 1) and public pool (limit 5).")
    pools.create_pool(
        Pool.new(tenant, code="SH-LEADS", name="Shanghai leads", kind=PoolKind.LEAD,
                 claim_limit=1, members=(li.id,), now=START)
    )  # fmt: skip
    public = pools.create_pool(
        Pool.new(tenant, code="SH", name="Shanghai 公海", kind=PoolKind.CUSTOMER, claim_limit=5,
                 return_after_days=7, members=(li.id,), now=START)
    )  # fmt: skip
    deals.define_process(
        code="STD",
        name="Standard",
        stages=(
            Stage("enquiry", "Enquiry", Decimal(10)),
            Stage("quote", "Quote", Decimal(40)),
            Stage("agreed", "Agreed", Decimal(90)),
        ),
    )
    card = leads.add(
        Lead.new(tenant, source=LeadSource.TRADE_SHOW, company="Oolong House Co., Ltd.",
                 person="Zhang Wei", phone="+86 138 0013 8000", now=START)
    ).lead  # fmt: skip
    other = leads.add(
        Lead.new(tenant, source=LeadSource.CAMPAIGN, company="Green Leaf",
                 email="buy@greenleaf.cn", now=START)
    ).lead  # fmt: skip
    for lead in (card, other):
        pools.enter("SH-LEADS", lead.id)
    pools.claim("SH-LEADS", card.id, user_id=li.id)
    print(f"Li claims the lead {card.company!r} from the lead pool.")
    _refused(lambda: pools.claim("SH-LEADS", other.id, user_id=li.id))
    activity.log_follow_up(
        FollowUpSubject.LEAD, card.id, kind=FollowUpKind.CALL, user_id=li.id,
        outcome="wants oolong for 40 shops",
        next_step=("Send Zhang Wei a quote", START + timedelta(days=2)),
    )  # fmt: skip
    print("Li calls Zhang Wei and plans a quote (a task due in two days).")
    draft = OpportunityDraft(
        "STD", "Oolong for 40 shops", Decimal("48000.00"), "CNY", date(2026, 4, 30)
    )
    done = leads.convert(
        card.id, customer_code="OOLONG", user_id=li.id, key="convert-card", opportunity=draft
    )
    print(
        f"Converted in one unit of work: customer {done.customer_code}, a primary contact, "
        f"and an opportunity of CNY 48000.00."
    )
    assert done.opportunity_id is not None
    deals.move(done.opportunity_id, "quote")
    for line in deals.forecast(li.id):
        print(f"Forecast {line.period}: CNY {line.weighted} weighted (stage 'quote', 40 %).")
    quote = quotes.create_quote("OOLONG", currency="CNY", valid_until=START + timedelta(days=14))
    won = quotes.win_by_quote(done.opportunity_id, quote.id)
    print(f"Quote {quote.id[:8]}... for OOLONG wins the opportunity: {won.status.value}.")
    with uow() as work:
        dormant = work.records(CUSTOMERS).add(
            Customer.new(tenant, code="DORMANT", name="Dormant Tea", pool_id=public.id, now=START)
        )
        work.commit()
    pools.claim("SH", dormant.id, user_id=li.id)
    print("Li also claims customer DORMANT from the public pool, then never follows it up.")
    clock.advance(timedelta(days=7))
    owner = pools.owner_of("SH", dormant.id)
    print(f"Seven days later DORMANT's owner is {owner!r}: back in the public pool.")
    print(f"A sweep writes {pools.sweep('SH')} auto-return into the history:")
    for event in pools.history("SH", dormant.id):
        print(f"  {event.at:%Y-%m-%d %H:%M} {event.action.value:<12} {event.reason or ''}")


def _refused(action: Callable[[], object]) -> None:
    try:
        action()
    except CrmkitError as error:
        print(f"  refused [{error.code}]: {error.message}")
        return
    raise AssertionError("the demo expected a refusal")


def main(url: str = DEFAULT_URL) -> None:
    """Open ``url`` (creating or upgrading its schema) and run the story in a new tenant."""
    storage = open_storage(url, upgrade_schema=True)
    try:
        run(storage, TenantId(f"demo-fo-{new_id()[:8]}"))
    finally:
        storage.close()
