#!/usr/bin/env bash
# Set up .venv, start the databases the tests need, and run the whole test suite on all
# five backends (memory, SQLite, PostgreSQL, MariaDB, MongoDB via SecantusDB).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
bash scripts/services.sh
# Two pytest-xdist workers by default (CRMKIT_TEST_WORKERS=0 runs in one process); each
# worker has databases of its own (tests/backends.py), tests of one class or module stay together.
workers="${CRMKIT_TEST_WORKERS:-2}"
if [ "$workers" = "0" ]; then
    exec .venv/bin/pytest "$@"
fi
exec .venv/bin/pytest -n "$workers" --dist loadscope "$@"
