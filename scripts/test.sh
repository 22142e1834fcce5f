#!/usr/bin/env bash
# `make test`: the whole suite on SQLite and on PostgreSQL, the two passes at the same time (docs/testing.md).
# PostgreSQL is started if it is down; the suite creates throw-away databases and drops them after.
# Each pass writes its own log (build/test-logs/<backend>.log); both logs are printed, whole, once both passes
# have ended, so the output reads as two runs one after the other. The exit code is 0 only if both passed.
# Tests marked `backend_independent` (they touch no database) run on the SQLite pass only.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider --durations=15)
PG_HOST=127.0.0.1
PG_PORT=5432
LOGS=build/test-logs

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
ensure_postgres
mkdir -p "$LOGS"
started=$(date +%s)

pids=()
stop_passes() {
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
}
trap 'stop_passes; exit 130' INT TERM

# Each pass in its own process group (set -m), so that an interrupted `make test` stops the pass's children too.
set -m
echo "=== suite on SQLite and on PostgreSQL, at the same time (logs: $LOGS/) ==="
TEST_DATABASE=sqlite "${PYTEST[@]}" "$@" >"$LOGS/sqlite.log" 2>&1 &
pids+=($!)
TEST_DATABASE=postgresql TEST_POSTGRES_URL="postgresql://postgres@$PG_HOST:$PG_PORT/postgres" \
  "${PYTEST[@]}" -m "not backend_independent" "$@" >"$LOGS/postgresql.log" 2>&1 &
pids+=($!)
set +m

status=0
results=()
for index in 0 1; do
  name=$([[ $index -eq 0 ]] && echo SQLite || echo PostgreSQL)
  if wait "${pids[$index]}"; then
    results+=("$name: passed")
  else
    code=$?
    results+=("$name: FAILED (pytest exit code $code)")
    status=1
  fi
done

echo "=== suite on SQLite ==="
cat "$LOGS/sqlite.log"
echo "=== suite on PostgreSQL (tests marked backend_independent ran on the SQLite pass only) ==="
cat "$LOGS/postgresql.log"
elapsed=$(( $(date +%s) - started ))
printf '=== %s; %s; both passes took %ss ===\n' "${results[0]}" "${results[1]}" "$elapsed"
exit "$status"
