"""The ``crmkit`` command: run the demo, manage a database's schema, import CSV files.

Exit codes: 0 done, 1 crmkit refused (the message says why and what to do), 2 wrong usage,
3 an unexpected failure. Passwords in URLs are never printed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from crmkit import __version__
from crmkit.bootstrap import open_crm, open_storage
from crmkit.cli_import import import_prices, import_products
from crmkit.domain import ConfigurationError, CrmkitError
from crmkit.urls import masked

OK, REFUSED, USAGE, UNEXPECTED = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmkit", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"crmkit {__version__}")
    parser.add_argument("--verbose", action="store_true", help="log what crmkit does")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo on a database (SQLite by default)")
    demo.add_argument(
        "story", nargs="?", choices=("orders", "front-office"), default="orders",
        help="the order flow (default) or the front office (pools, leads, opportunities)",
    )  # fmt: skip
    demo.add_argument("--url", default=None, help="storage URL (default sqlite:///crmkit-demo.db)")

    db = commands.add_parser("db", help="database schema commands")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    for name, text in [
        ("upgrade", "create or upgrade crmkit's tables (SQL) or indexes (MongoDB)"),
        ("current", "show the crmkit schema revision a SQL database is at"),
    ]:
        command = db_commands.add_parser(name, help=text)
        command.add_argument("url", help="e.g. sqlite:///crm.db, postgresql+psycopg://...")
        command.add_argument(
            "--version-table", default=None, help="Alembic version table holding crmkit's revisions"
        )
    db_commands.add_parser("history", help="list crmkit's schema revisions, newest first")

    bulk = commands.add_parser("import", help="import records from a CSV file (UTF-8, header row)")
    kinds = bulk.add_subparsers(dest="kind", required=True)
    products = kinds.add_parser("products", help="columns: sku,name,unit,tax_rate[,category]")
    prices = kinds.add_parser("prices", help="columns: sku,unit_price[,min_quantity]")
    prices.add_argument("--price-list", required=True, help="id of the price list to add to")
    for command in (products, prices):
        command.add_argument("url", help="storage URL")
        command.add_argument("file", type=Path, help="the CSV file")
        command.add_argument("--tenant", required=True, help="the tenant to import into")
        command.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse: --help/--version (0) or a usage error (2)
        return int(stop.code or 0)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        return _run(args)
    except CrmkitError as error:
        print(f"crmkit: {_one_line(error)}", file=sys.stderr)
        return REFUSED
    except Exception as error:  # one line, never a traceback with a URL in it
        print(f"crmkit: unexpected {type(error).__name__}: {_one_line(error)}", file=sys.stderr)
        return UNEXPECTED


def _one_line(error: Exception) -> str:
    return " ".join(masked(str(error)).split())


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo" and args.story == "front-office":
        from crmkit import demo_front_office  # noqa: PLC0415 - only the demo needs it

        demo_front_office.main(args.url or demo_front_office.DEFAULT_URL)
    elif args.command == "demo":
        from crmkit import demo  # noqa: PLC0415 - only the demo needs it

        demo.main(args.url or demo.DEFAULT_URL)
    elif args.command == "db":
        _db(args)
    else:
        progress = None if args.quiet else sys.stderr
        with open_crm(args.url) as crm:
            services = crm.tenant(args.tenant)
            if args.kind == "products":
                report = import_products(services.catalog, args.file, progress)
            else:
                report = import_prices(
                    services.catalog, services.pricing, args.price_list, args.file, progress
                )
            # A fresh bulk load: let the planner see the new rows (SQL storages only; a
            # user's own Storage need not have the method).
            refresh = getattr(crm.storage, "refresh_statistics", None)
            if refresh is not None:
                refresh()
        print(report)
    return OK


def _db(args: argparse.Namespace) -> None:
    if args.db_command == "history":
        from crmkit.adapters.sql.migrate import revision_history  # noqa: PLC0415

        for revision, down, doc in revision_history():
            print(f"{revision}  (after {down or 'nothing'})  {doc.splitlines()[0] if doc else ''}")
        return
    url = masked(args.url)
    if args.db_command == "upgrade":
        open_storage(args.url, upgrade_schema=True, version_table=args.version_table).close()
        print(f"crmkit schema is up to date at {url}")
        return
    scheme = args.url.split(":", 1)[0].lower()
    if scheme in {"memory", "mongodb", "mongodb+srv"}:
        raise ConfigurationError(
            f"{scheme}:// storage has no schema revisions; `crmkit db upgrade URL` creates "
            f"MongoDB's indexes."
        )
    from crmkit.adapters.sql.migrate import current_revisions  # noqa: PLC0415

    found, expected = current_revisions(args.url, args.version_table)
    state = "up to date" if found == expected else f"run `crmkit db upgrade` for {sorted(expected)}"
    print(f"{url}: {', '.join(sorted(found)) or 'no crmkit revision'} ({state})")


if __name__ == "__main__":
    sys.exit(main())
