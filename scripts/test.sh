#!/usr/bin/env bash
# Set up .venv, start the databases the tests need, and run the whole test suite on all
# five backends (memory, SQLite, PostgreSQL, MariaDB, MongoDB via SecantusDB).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
bash scripts/services.sh
exec .venv/bin/pytest "$@"
