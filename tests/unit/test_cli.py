"""The crmkit command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crmkit import __version__, open_crm
from crmkit.cli import OK, REFUSED, UNEXPECTED, USAGE, main
from crmkit.urls import masked
from tests.backends import POSTGRES_URL

UNREACHABLE = "postgresql+psycopg://erp:s3cr3t-pw@127.0.0.1:1/crm"


class TestCommandLine:
    """crmkit demo and crmkit db upgrade."""

    def test_demo_runs_the_order_flow(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo on memory:// goes from catalog to a closed order and shows refusals."""
        assert main(["demo", "--url", "memory://"]) == 0
        out = capsys.readouterr().out
        assert "the same request key again returns the same order: True" in out
        assert "-> duplicate:" in out
        assert "-> insufficient_stock:" in out
        assert "-> insufficient_funds:" in out
        assert out.count("state before and after is equal") == 2
        assert "held   0.00" in out  # every hold was posted, credited back or voided
        assert "DN-2026-000001" in out
        assert "RO-2026-000001" in out
        assert "SO-2026-000001 closed" in out
        assert "sales_order.credited_back" in out
        assert "allocated to SO-2026-000004: instalment 1 paid, late: True" in out

    @pytest.mark.sqlite
    def test_db_upgrade_creates_the_schema(self, tmp_path: Path) -> None:
        """db upgrade on a new SQLite file succeeds, twice."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        assert main(["db", "upgrade", url]) == 0
        assert main(["db", "upgrade", url]) == 0

    @pytest.mark.sqlite
    def test_db_current_and_history(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """db current names the revision before and after an upgrade; history lists all."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        assert main(["db", "current", url]) == OK
        assert "no crmkit revision (run `crmkit db upgrade`" in capsys.readouterr().out
        main(["db", "upgrade", url])
        capsys.readouterr()
        assert main(["db", "current", url]) == OK
        assert "(up to date)" in capsys.readouterr().out
        assert main(["db", "history"]) == OK
        history = capsys.readouterr().out.splitlines()
        assert history[-1].startswith("0001_foundation  (after nothing)")

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the package version and exits 0."""
        assert main(["--version"]) == OK
        assert capsys.readouterr().out.strip() == f"crmkit {__version__}"


class TestFailures:
    """Each failure is one masked line and its own exit code."""

    def test_bad_url_is_refused_with_code_1(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unusable URL prints the error's code and exits 1."""
        assert main(["db", "upgrade", "sqlite://"]) == REFUSED
        err = capsys.readouterr().err
        assert "[configuration]" in err
        assert len(err.splitlines()) == 1

    def test_usage_errors_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown command is a usage error, told apart from crmkit's refusals."""
        assert main(["bogus"]) == USAGE
        assert USAGE not in {OK, REFUSED, UNEXPECTED}
        assert "invalid choice" in capsys.readouterr().err

    @pytest.mark.parametrize("command", ["upgrade", "current"])
    def test_unreachable_database_is_one_line_without_the_password(
        self, command: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A server that does not answer: one line, exit 1, the password masked."""
        assert main(["db", command, UNREACHABLE]) == REFUSED
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1
        assert "s3cr3t-pw" not in err
        assert "[storage_unavailable]" in err

    def test_masking_covers_every_url_in_a_text(self) -> None:
        """Every URL's password in a message is replaced, user and host kept."""
        assert masked("mysql+pymysql://root:pw@h/db") == "mysql+pymysql://root:***@h/db"
        assert masked(UNREACHABLE) == "postgresql+psycopg://erp:***@127.0.0.1:1/crm"
        assert "s3cr3t" not in masked(f"a {UNREACHABLE} and {UNREACHABLE}")

    @pytest.mark.postgres
    def test_a_successful_upgrade_masks_the_password(
        self, postgres_storage: object, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`db upgrade` and `db current` on a server print the URL without its password."""
        user, rest = POSTGRES_URL.split("://", 1)[1].split("@", 1)
        url = f"postgresql+psycopg://{user.split(':')[0]}:s3cr3t-pw@{rest}"
        assert main(["db", "upgrade", url]) == OK
        assert main(["db", "current", url]) == OK
        out = capsys.readouterr().out
        assert "s3cr3t-pw" not in out
        assert ":***@" in out

    @pytest.mark.mongo
    def test_unreachable_mongodb_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A MongoDB that does not answer: one masked line, exit 1."""
        url = "mongodb://erp:s3cr3t-pw@127.0.0.1:1/crm?serverSelectionTimeoutMS=300"
        assert main(["db", "upgrade", url]) == REFUSED
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1
        assert "[storage_unavailable] cannot use the MongoDB database 'crm'" in err
        assert "s3cr3t-pw" not in err

    def test_bad_path_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A SQLite file in a missing folder: one line naming the problem, exit 1."""
        assert main(["db", "current", "sqlite:////no/such/folder/crm.db"]) == REFUSED
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1
        assert "unable to open database file" in err

    def test_the_installed_command_exits_with_the_code(self) -> None:
        """`python -m crmkit` gives the process the exit code, without a traceback."""
        result = subprocess.run(
            [sys.executable, "-m", "crmkit", "db", "upgrade", UNREACHABLE],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == REFUSED
        assert "Traceback" not in result.stderr
        assert "s3cr3t-pw" not in result.stderr + result.stdout


@pytest.mark.sqlite
class TestCsvImport:
    """crmkit import products/prices from CSV."""

    def write(self, folder: Path, name: str, text: str) -> Path:
        """A CSV file in ``folder``."""
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    def test_products_then_prices_with_a_progress_bar(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Products are created (a re-run changes nothing) and prices added; a bar is drawn."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        main(["db", "upgrade", url])
        rows = "".join(f"SKU-{n},Item {n},pcs,0.13,\n" for n in range(40))
        products = self.write(tmp_path, "p.csv", "sku,name,unit,tax_rate,category\n" + rows)
        assert main(["import", "products", url, str(products), "--tenant", "acme"]) == OK
        captured = capsys.readouterr()
        assert "products: 40 created, 0 updated, 0 unchanged" in captured.out
        assert "40/40" in captured.err
        assert "[" + "#" * 30 + "]" in captured.err
        assert main(["import", "products", url, str(products), "--tenant", "acme"]) == OK
        assert "0 created, 0 updated, 40 unchanged" in capsys.readouterr().out
        with open_crm(url) as crm:
            price_list = crm.tenant("acme").pricing.create_price_list(
                name="Base", currency="CNY", priority=1
            )
        prices = self.write(tmp_path, "pr.csv", "sku,unit_price\nSKU-1,9.90\nSKU-2,4\n")
        command = ["import", "prices", url, str(prices), "--tenant", "acme", "--quiet"]
        assert main([*command, "--price-list", price_list.id]) == OK
        captured = capsys.readouterr()
        assert "prices: 2 added" in captured.out
        assert captured.err == ""

    def test_a_bad_row_names_its_line_and_adds_no_price(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unknown SKU on line 3 is named; the price list stays empty."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        main(["db", "upgrade", url])
        products = self.write(tmp_path, "p.csv", "sku,name,unit,tax_rate\nA,A,pcs,0\n")
        main(["import", "products", url, str(products), "--tenant", "acme", "--quiet"])
        with open_crm(url) as crm:
            pricing = crm.tenant("acme").pricing
            price_list = pricing.create_price_list(name="Base", currency="CNY", priority=1)
        prices = self.write(tmp_path, "pr.csv", "sku,unit_price\nA,1\nNOPE,2\n")
        command = ["import", "prices", url, str(prices), "--tenant", "acme", "--quiet"]
        assert main([*command, "--price-list", price_list.id]) == REFUSED
        assert "pr.csv line 3: [not_found]" in capsys.readouterr().err
        with open_crm(url) as crm, crm.unit_of_work("acme") as uow:
            product = crm.tenant("acme").catalog.get_product_by_sku("A")
            assert uow.price_lists.entries_for([price_list.id], [product.id]) == []

    def test_missing_file_and_missing_column(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing file or column is one line and exit 1."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        main(["db", "upgrade", url])
        missing = str(tmp_path / "none.csv")
        assert main(["import", "products", url, missing, "--tenant", "acme"]) == REFUSED
        assert "cannot read the CSV file" in capsys.readouterr().err
        bad = self.write(tmp_path, "bad.csv", "sku,name\nA,A\n")
        assert main(["import", "products", url, str(bad), "--tenant", "acme"]) == REFUSED
        assert "has no column unit, tax_rate" in capsys.readouterr().err
