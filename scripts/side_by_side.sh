#!/usr/bin/env bash
# `make test`'s browser and integration runs, at the same time: both mostly wait (on Chromium, on worker
# processes, on servers and timeouts; each uses a third of a core or less), so side by side they take the time of
# the longer one. Each is its own pytest process on a test database of its own (TEST_DATABASE_SUFFIX,
# tests/conftest.py). The integration run prints as it goes; the browser run's output follows once it is done.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
mkdir -p var
log="var/browser-tests.log"

TEST_DATABASE_SUFFIX=browser "$BIN/pytest" -m browser >"$log" 2>&1 &
browser=$!
TEST_DATABASE_SUFFIX=integration "$BIN/pytest" -m integration --ignore tests/bench
integration_status=$?
wait "$browser"
browser_status=$?

echo "----- the browser tests ($log)"
cat "$log"
if [ "$integration_status" != 0 ] || [ "$browser_status" != 0 ]; then
  echo "failed: integration tests $integration_status, browser tests $browser_status"
  exit 1
fi
