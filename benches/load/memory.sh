#!/usr/bin/env bash
# Flat memory (issue 16): the RSS growth of the release oqs-sim over 1,000,000 single inquiries
# once its bounded stores are full, journal and history on, default settings.
#
#  1. builds oqs-sim and the load driver oqs-load (benches/load/driver.rs) in release;
#  2. starts `oqs-sim --generate 1000000` with the default settings, i.e. these bounds:
#     in-memory history 100,000 records (history::DEFAULT_MEMORY_CAPACITY), journal 10,000
#     entries (--journal-capacity) and at most 32 MiB of request text (journal::MAX_STORED_TEXT),
#     照会番号 at most 1,000,000 registrations (references::MAX_REFERENCE_NUMBERS);
#  3. registers the 照会番号 of every 5th (person, facility) pair of the driver's rotation
#     (10,000 generated persons × 100 facilities) and checks that inquiries show them;
#  4. fills the history and the journal: FILL inquiries (default history capacity + journal
#     capacity = 110,000), then notes the RSS;
#  5. sends REQUESTS more inquiries (default 1,000,000; an exact count, every answer must be 200),
#     sampling the RSS every 5 s, and checks that the journal's seq (the server's own count)
#     advanced by exactly that many;
#  6. prints the growth (end and peak sample minus the RSS after the fill) in MB (10^6 bytes) and
#     PASS or FAIL against LIMIT_MB (default 50): FAIL if either exceeds it.
#
# Usage: benches/load/memory.sh [requests=1000000] [connections=8] [more oqs-sim flags...]
# Environment: GENERATE (persons, default 1000000), FILL (inquiries before the baseline),
#              HISTORY_CAPACITY (records the history keeps, default 100000: set it with
#              --data-dir, 1000000, or --history-capacity), LIMIT_MB (default 50),
#              SERVER_CPU (pin oqs-sim to this CPU with taskset), PER_CONNECTION (requests per
#              connection before the driver closes it and opens another; default 0: kept alive),
#              SIM (another oqs-sim binary to measure, e.g. one built before a change).
# Needs curl. Takes a few minutes (longer while other work shares the machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-1000000}
conns=${2:-8}
per_connection=${PER_CONNECTION:-0}
shift $(( $# < 2 ? $# : 2 ))
generate=${GENERATE:-1000000}
limit_mb=${LIMIT_MB:-50}
history_capacity=${HISTORY_CAPACITY:-100000} # history::DEFAULT_MEMORY_CAPACITY (no --data-dir)
command -v curl >/dev/null || { echo "curl is missing (Debian: apt-get install curl)"; exit 2; }
cargo build -q --release -p sim-server --bin oqs-sim
cargo build -q --release -p oqs-benches --bin oqs-load
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
sim=
sampler=
cleanup() {
  if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi
  if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
addr=127.0.0.1:$port
pin=()
[ -n "${SERVER_CPU:-}" ] && pin=(taskset -c "$SERVER_CPU")
"${pin[@]}" "${SIM:-$bin/oqs-sim}" --listen "$addr" --exchange-dir "$work/ex" \
  --now 2021-01-06T10:00:00+09:00 --generate "$generate" "$@" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://$addr/__admin/journal?limit=1" && break
  kill -0 "$sim" 2>/dev/null || { echo "oqs-sim did not start:"; cat "$work/sim.log"; exit 1; }
  sleep 0.2
done

# RSS of the server in kB (VmRSS), and its anonymous part.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$sim/status"; }
anon() { awk '/^RssAnon:/ { print $2 }' "/proc/$sim/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb * 1024 / 1e6 }'; }
journal_capacity=$(curl -sf "http://$addr/__admin/journal?limit=1" | sed -n 's/.*"capacity":\([0-9]*\).*/\1/p')
fill=${FILL:-$((history_capacity + journal_capacity))}
echo "oqs-sim --generate $generate${*:+ $*} (history keeps $history_capacity records, journal $journal_capacity entries); pid $sim"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "started: RSS $(rss) kB"

"$bin/oqs-load" "$addr" register
pre_fill=$(rss)
echo "after the 照会番号: RSS $pre_fill kB"

"$bin/oqs-load" "$addr" inquire "$fill" "$conns" "$per_connection" | sed 's/^/fill: /'
before=$(rss)
before_anon=$(anon)
seq_before=$("$bin/oqs-load" "$addr" last-seq)
full="history and journal full"
[ "$fill" -lt $((history_capacity > journal_capacity ? history_capacity : journal_capacity)) ] && full="history NOT full yet"
echo "after the fill (journal seq $seq_before, $full): RSS $before kB (anonymous $before_anon kB)"
kept=$((fill < history_capacity ? fill : history_capacity))
echo "the fill added $(mb $((before - pre_fill))) MB ≈ $(( (before - pre_fill) * 1024 / kept )) bytes per history record kept (with the journal's entries and the allocator's slack)"

( while :; do sleep 5; echo "$(rss)" >>"$work/samples"; echo "  RSS $(rss) kB"; done ) &
sampler=$!
"$bin/oqs-load" "$addr" inquire "$requests" "$conns" "$per_connection"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sampler=
after=$(rss)
after_anon=$(anon)
seq_after=$("$bin/oqs-load" "$addr" last-seq)
echo "$after" >>"$work/samples"
peak=$(sort -n "$work/samples" | tail -1)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
counted=$((seq_after - seq_before))
echo "journal seq $seq_before → $seq_after: the server counted $counted requests"
if [ "$counted" -ne "$requests" ]; then
  echo "FAIL: the server counted $counted requests, not $requests"
  exit 1
fi
growth=$((after - before))
peak_growth=$((peak - before))
echo "RSS $before kB → $after kB (anonymous $before_anon → $after_anon kB), peak sample $peak kB"
echo "growth over $requests requests: $(mb "$growth") MB at the end, $(mb "$peak_growth") MB at the peak sample (limit $limit_mb MB)"
if awk -v g="$growth" -v p="$peak_growth" -v l="$limit_mb" 'BEGIN { exit !(g * 1024 <= l * 1e6 && p * 1024 <= l * 1e6) }'; then
  echo "PASS"
else
  echo "FAIL"
  exit 1
fi
