#!/usr/bin/env bash
# The tests that depend on the date or the hour (marked `clock`), run with the clock started at each moment where
# dates break: midnight in the team's time zone (Europe/Paris) and in UTC, the nights daylight saving time starts
# and ends in Paris, New Year's Eve, a leap day. `make test` runs them at whatever moment it is; this runs them at
# the moments a day, a week or a year turns over, so a bound that holds only at some hours fails here first.
#
# The tests marked `clock` are the ones known to read the date; a new test may read it without its mark. So at one
# moment (SWEEP: the last minute of a year, which the run crosses as the clock ticks on) every unit test runs, not
# only the marked ones. CI runs every unit test across midnight of a Sunday in Paris too, in its first `make test`
# (UNIT_CLOCK), rather than in one more run here.
#
# Each moment is its own pytest process (TEST_CLOCK, read by tests/conftest.py) with a database of its own, as
# many at once as the machine has cores. `scripts/test_clocks.sh 2027-03-28T01:59:00+01:00` runs one moment.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"

MOMENTS=(
  "2026-12-06T23:59:00+01:00"  # Sunday 23:59 in Paris (22:59 UTC): the last minute of a weekend day
  "2026-12-07T00:00:00+01:00"  # Monday 00:00 in Paris, still Sunday 23:00 in UTC: the two dates differ
  "2026-12-07T23:59:00+00:00"  # 23:59 UTC, already Tuesday 00:59 in Paris
  "2026-12-08T00:00:00+00:00"  # 00:00 UTC, 01:00 in Paris
  "2027-03-28T01:59:00+01:00"  # a minute before Paris skips from 02:00 to 03:00 (a 23-hour day)
  "2027-03-28T03:00:00+02:00"  # just after: 02:00-03:00 never happened today
  "2027-10-31T02:30:00+02:00"  # the first 02:30 of the night Paris goes back an hour (a 25-hour day)
  "2027-10-31T02:30:00+01:00"  # the second 02:30 of that night
  "2027-12-31T23:59:00+01:00"  # New Year's Eve, a minute before the year (and the month) turns over
  "2028-02-29T12:00:00+01:00"  # a leap day, a Tuesday in the sending hours: a year ago is not a date
)
SWEEP=("2027-12-31T23:59:00+01:00")
if [ "$#" -gt 0 ]; then MOMENTS=("$@"); SWEEP=(); fi

JOBS="${CLOCK_JOBS:-$(nproc 2>/dev/null || echo 2)}"
OUT="var/clocks"
rm -rf "$OUT" && mkdir -p "$OUT"

# One database per moment, so moments run side by side: a SQLite file, or on PostgreSQL a database name of its own.
database_for() {
  case "${DATABASE_URL:-}" in
    postgres*) echo "${DATABASE_URL%/*}/clocks_$1" ;;
    *) echo "sqlite:///$PWD/$OUT/clocks_$1.sqlite3" ;;
  esac
}

swept() {
  local moment
  for moment in "${SWEEP[@]}"; do [ "$moment" = "$1" ] && return 0; done
  return 1
}

run_moment() {
  local i="$1" moment="$2" started status which=(-m clock)
  if swept "$moment"; then which=(-m "not integration and not browser" --ignore tests/bench); fi
  started=$(date +%s)
  DATABASE_URL="$(database_for "$i")" TEST_CLOCK="$moment" \
    "$BIN/pytest" "${which[@]}" -p no:cacheprovider -q --tb=short >"$OUT/$i.log" 2>&1
  status=$?
  echo "$status $(($(date +%s) - started))" >"$OUT/$i.result"
}

# The sweeps first: they are the long ones, and the short ones then fill the other cores around them.
order=()
for i in "${!MOMENTS[@]}"; do swept "${MOMENTS[$i]}" && order+=("$i"); done
for i in "${!MOMENTS[@]}"; do swept "${MOMENTS[$i]}" || order+=("$i"); done

started=$(date +%s)
for i in "${order[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  run_moment "$i" "${MOMENTS[$i]}" &
done
wait

failed=0
for i in "${!MOMENTS[@]}"; do
  read -r status seconds <"$OUT/$i.result"
  summary="$(tail -n 1 "$OUT/$i.log")"
  what="clock"
  if swept "${MOMENTS[$i]}"; then what="all unit"; fi
  printf '%-27s %-8s %4ss  %s\n' "${MOMENTS[$i]}" "$what" "$seconds" "$summary"
  if [ "$status" != 0 ]; then
    failed=1
    echo "----- ${MOMENTS[$i]} ($OUT/$i.log)"
    grep -E "^(FAILED|ERROR)" "$OUT/$i.log" || tail -n 40 "$OUT/$i.log"
  fi
done
echo "${#MOMENTS[@]} moments in $(($(date +%s) - started)) s, $JOBS at a time"
exit "$failed"
