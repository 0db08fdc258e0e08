"""The front-office demo: a lead claimed from a pool, converted, won by a quote; an untouched
customer going back to the public pool (公海).

Run it with ``crmkit demo front-office`` (a SQLite file by default) or with ``--url URL``.
The clock is controlled, so the seven days of the auto-return rule pass at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from crmkit import Crm, CrmkitError, FixedClock, open_crm
from crmkit.front_office import (
    Customer,
    FollowUpKind,
    FollowUpSubject,
    Lead,
    LeadSource,
    OpportunityDraft,
    Pool,
    PoolKind,
    Role,
    Stage,
    User,
)

DEFAULT_URL = "sqlite:///crmkit-demo.db"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run(crm: Crm, clock: FixedClock, tenant_name: str) -> None:
    """Tell the front-office story in tenant ``tenant_name``; ``clock`` is ``crm``'s clock."""
    office = crm.tenant(tenant_name)
    tenant = office.tenant_id
    directory, pools, leads = office.directory, office.pools, office.leads
    activity, deals, quotes = office.activities, office.opportunities, office.customer_quotes

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
    dormant = office.customers.create(
        Customer.new(tenant, code="DORMANT", name="Dormant Tea", pool_id=public.id, now=START)
    )
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
    clock = FixedClock(START)
    with open_crm(url, clock=clock, upgrade_schema=True) as crm:
        run(crm, clock, f"demo-fo-{uuid.uuid4().hex[:8]}")
