#!/usr/bin/env bash
# Load run: the release oqs-sim under wrk (single inquiries over XML/HTTP) while its RSS is sampled,
# to show memory stays flat once the in-memory history (100,000 records) and journal are full
# (memory.sh measures issue 16's goal: an exact 1,000,000 requests, many keys, PASS / FAIL).
# Usage: benches/load/run.sh [seconds=120] [connections=16] [extra oqs-sim flags...]
# Needs wrk (Debian package `wrk`). Prints wrk's summary and one RSS sample per 10 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-120}
conns=${2:-16}
shift $(( $# < 2 ? $# : 2 ))
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 2; }
cargo build -q --release -p sim-server --bin oqs-sim
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
target/release/oqs-sim --listen "127.0.0.1:$port" --exchange-dir "$work/ex" \
  --now 2021-01-06T10:00:00+09:00 "$@" >"$work/sim.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
  curl -sf -o /dev/null --data-binary @benches/load/OQSsiquc01req.xml \
    "http://127.0.0.1:$port/xml/OQSsiquc01req" && break
  sleep 0.2
done
cat >"$work/post.lua" <<LUA
local f = io.open("$PWD/benches/load/OQSsiquc01req.xml", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/xml"
LUA
rss() { awk '/VmRSS/ { print $2 " kB" }' "/proc/$sim/status"; }
echo "t=0s rss=$(rss)"
( for i in $(seq 10 10 "$secs"); do sleep 10; echo "t=${i}s rss=$(rss)"; done ) &
sampler=$!
wrk -t2 -c"$conns" -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$port/xml/OQSsiquc01req"
wait "$sampler" 2>/dev/null || true
