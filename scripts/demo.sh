#!/usr/bin/env bash
# Set up .venv and run crmkit's demo on the embedded SQLite default (crmkit-demo.db).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh sql
exec .venv/bin/crmkit demo "$@"
