#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then on PostgreSQL.
# PostgreSQL is started if it is down; the suite creates throw-away databases and drops them after.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider "$@")
PG_HOST=127.0.0.1
PG_PORT=5432

ensure_postgres() {
  if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
    return 0
  fi
  echo "PostgreSQL is not answering on $PG_HOST:$PG_PORT; starting it"
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$version" ]] || ! command -v pg_ctlcluster >/dev/null; then
    echo "no PostgreSQL cluster is installed here; the PostgreSQL run cannot happen" >&2
    return 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 60); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0
    sleep 0.5
  done
  echo "PostgreSQL did not become ready" >&2
  return 1
}

ensure_chromium() {
  # The browser tests (tests/browser/) drive Debian's Chromium; Playwright's own browser download is never used.
  if [[ -x /usr/bin/chromium ]]; then
    return 0
  fi
  echo "Chromium is missing; installing Debian's package for the browser tests"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium
}

ensure_chromium
started=$(date +%s)
echo "=== suite on SQLite ==="
TEST_DATABASE=sqlite "${PYTEST[@]}"
ensure_postgres
echo "=== suite on PostgreSQL ==="
TEST_DATABASE=postgresql TEST_POSTGRES_URL="postgresql://postgres@$PG_HOST:$PG_PORT/postgres" "${PYTEST[@]}"
echo "=== both runs passed in $(( $(date +%s) - started ))s ==="
