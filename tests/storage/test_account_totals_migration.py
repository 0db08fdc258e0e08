"""0013_account_totals backfills each account's posted totals from its holds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from crmkit.adapters.sql import SqlStorage, create_crmkit_engine, upgrade_database
from crmkit.adapters.sql.migrate import MIGRATIONS
from crmkit.adapters.sql.tables import VERSION_TABLE, customer_accounts
from crmkit.domain import TenantId
from crmkit.domain.accounts import Fund
from crmkit.domain.deduction import OrderLine
from crmkit.testing.ledger import accounts_service, cny

TENANT = TenantId("totals")


def _alembic(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["version_table"] = VERSION_TABLE
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.mark.sqlite
class TestAccountTotalsMigration:
    """Upgrading to 0013 fills the stored posted totals that older crmkit did not keep."""

    def test_backfill_sums_what_the_holds_posted_less_refunds(self, tmp_path: Path) -> None:
        """After 0012 -> 0013 the account's posted totals equal its holds' posted - refunded."""
        engine = create_crmkit_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
        upgrade_database(engine)
        storage = SqlStorage(engine)
        service = accounts_service(storage, TENANT)
        account = service.open_account("C-1", "CNY")
        service.deposit(account.id, cny(500), key="d")
        for order in ("o-1", "o-2"):
            line = OrderLine("p", None, cny(100))
            service.place_holds(account.id, order, cny(100), [line], key=f"h-{order}")
        hold = service.holds_of_order(account.id, "o-1")[0]
        service.post_hold(hold.id, key="p")
        service.refund_order(account.id, "o-1", cny(30), key="r")
        expected = service.fund_summaries(account.id)[Fund.PREPAYMENT].posted
        assert expected == Decimal(70)

        _alembic(engine, "0012_workflows", down=True)
        _alembic(engine, "heads")

        restored = service.get_account(account.id)
        assert restored.posted(Fund.PREPAYMENT) == expected
        assert restored.posted(Fund.CREDIT) == restored.posted(Fund.REBATE) == 0
        with engine.connect() as connection:
            columns = {
                c["name"] for c in sa.inspect(connection).get_columns(customer_accounts.name)
            }
        assert {"prepayment_posted", "rebate_posted", "credit_posted"} <= columns
        engine.dispose()
