#!/usr/bin/env bash
# (Re)start the local PostgreSQL and MariaDB the tests use, if they are down, and make sure
# the `test` database exists in both. Servers given through CRMKIT_TEST_POSTGRES_URL or
# CRMKIT_TEST_MARIADB_URL are left alone. (MongoDB: the tests start a SecantusDB server.)
set -euo pipefail

wait_for() {  # wait_for NAME COMMAND...
    local name=$1; shift
    for _ in $(seq 1 60); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    echo "services: $name did not become ready within 60 s" >&2
    return 1
}

if [ -z "${CRMKIT_TEST_POSTGRES_URL:-}" ]; then
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "services: starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
    fi
    wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
    if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != "1" ]; then
        psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test"
    fi
fi

if [ -z "${CRMKIT_TEST_MARIADB_URL:-}" ]; then
    if ! mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
        echo "services: starting MariaDB"
        start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    fi
    wait_for MariaDB mysqladmin -h 127.0.0.1 -u root ping
    mysql -h 127.0.0.1 -u root -e "CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4"
fi
