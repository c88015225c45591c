#!/usr/bin/env bash
# Instructions per single inquiry of the whole oqs-sim process over HTTP (the connection, the
# runtime, the inquiry, the journal and history, the allocator; not the kernel), counted by
# callgrind while `oqs-load` sends an exact number of inquiries. Like instructions.sh, the count
# does not move with the machine's load, so before/after can be compared while other work runs;
# it is not a speed figure (compare.sh is).
# Usage: benches/load/server-instructions.sh [requests=20000] [connections=8]
# Environment: SIM (another oqs-sim binary to count instead of this tree's release build),
#              KEEP (a directory to keep callgrind's files in, for callgrind_annotate).
# Needs valgrind (Debian: apt-get install valgrind) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-20000}
conns=${2:-8}
for tool in valgrind callgrind_control curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install valgrind curl)"; exit 2; }
done
cargo build -q --release -p sim-server --bin oqs-sim
cargo build -q --release -p oqs-benches --bin oqs-load
bin=${CARGO_TARGET_DIR:-target}/release
sim=${SIM:-$bin/oqs-sim}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
addr=127.0.0.1:$port
# On one CPU, as compare.sh runs it (so the runtime is the current-thread one it measures).
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then pin=(taskset -c 1); fi
# Counting starts only after the start-up and a warm-up (--instr-atstart=no).
"${pin[@]}" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" "$sim" \
  --listen "$addr" --exchange-dir "$work/ex" --now 2021-01-06T10:00:00+09:00 --generate 100000 \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://$addr/__admin/clock" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
"$bin/oqs-load" "$addr" register >/dev/null
"$bin/oqs-load" "$addr" inquire 200 "$conns" >/dev/null
callgrind_control -i on "$pid" >/dev/null 2>&1
"$bin/oqs-load" "$addr" inquire "$n" "$conns" >/dev/null
callgrind_control -i off "$pid" >/dev/null 2>&1
callgrind_control -d "$pid" >/dev/null 2>&1
sleep 1
total=0
for f in "$work"/cg.out*; do
  # The file of the start-up holds no counts.
  t=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' || true)
  total=$((total + ${t:-0}))
done
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/cg.out* "$KEEP"/; fi
echo "$(basename "$sim"): $((total / n)) instructions per request ($n inquiries over $conns connections)"
