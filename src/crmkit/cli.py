"""The ``crmkit`` command: run the demo, upgrade a database's schema."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crmkit.bootstrap import open_storage
from crmkit.domain import CrmkitError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo on a database (SQLite by default)")
    demo.add_argument(
        "story", nargs="?", choices=("orders", "front-office"), default="orders",
        help="the order flow (default) or the front office (pools, leads, opportunities)",
    )  # fmt: skip
    demo.add_argument("--url", default=None, help="storage URL (default sqlite:///crmkit-demo.db)")
    db = commands.add_parser("db", help="database schema commands")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser(
        "upgrade", help="create or upgrade crmkit's tables (SQL) or collections (MongoDB)"
    )
    upgrade.add_argument(
        "url", help="e.g. sqlite:///crm.db, postgresql+psycopg://..., mongodb://..."
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo" and args.story == "front-office":
            from crmkit import demo_front_office  # noqa: PLC0415 - only the demo needs it

            demo_front_office.main(args.url or demo_front_office.DEFAULT_URL)
        elif args.command == "demo":
            from crmkit import demo  # noqa: PLC0415 - only the demo needs it

            demo.main(args.url or demo.DEFAULT_URL)
        else:
            open_storage(args.url, upgrade_schema=True).close()
            print(f"crmkit schema is up to date at {args.url}")
    except CrmkitError as error:
        print(f"crmkit: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
