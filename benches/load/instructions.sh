#!/usr/bin/env bash
# Instructions per single inquiry at three stages (read → judge → write; + journal and history;
# + the router), counted by callgrind: unlike time, the count does not move with the machine's
# load, so before/after can be compared while other work runs. Not a speed figure (a cache miss
# and an instruction count alike); the timed figures are the criterion benches and compare.sh.
# Usage: benches/load/instructions.sh [persons=100000] [requests=2000]   Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
persons=${1:-100000}
n=${2:-2000}
command -v valgrind >/dev/null || { echo "valgrind is missing (Debian: apt-get install valgrind)"; exit 2; }
cargo build -q --release -p oqs-benches --example instructions
exe=${CARGO_TARGET_DIR:-target}/release/examples/instructions
out=$(mktemp)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
  --toggle-collect='instructions::stage_*' "$exe" "$persons" "$n" >/dev/null 2>&1
# Each stage was run twice (warm-up, then counted); callgrind sums both runs of a function.
callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
  awk -v n="$n" '/instructions::stage_/ {
      gsub(",", "", $1); name = $0; sub(/.*instructions::/, "", name); sub(/[ (].*/, "", name)
      runs = (name == "stage_wire" || name == "stage_router") ? 1 : 2
      printf "%-14s %8.0f instructions per request\n", name, $1 / (n * runs)
    }'
