#!/usr/bin/env bash
# Side-by-side load comparison: oqs-sim (single inquiry over XML/HTTP, journal and history on)
# against two baselines built from benches/: a wiremock-rs server with one canned response equal
# to the simulator's answer (`wiremock-canned`) and an axum server with a static body
# (`axum-static`, the framework floor). Each server runs alone on one core, wrk on another;
# rounds are interleaved and every server is started fresh in every round, so that noise from
# other work on the machine hits all three alike. Prints each round, then per baseline the ratio
# oqs-sim ÷ baseline (req/s, paired by round: median, min–max), the same ratio from the server's
# CPU time per request, and each server's p99.
#
# Usage: benches/load/compare.sh [rounds=4] [seconds=10] [connections=32]
# Environment: SERVER_CPU (default 1), LOAD_CPU (default 0), GENERATE (persons, default 1000000),
#              WARMUP (seconds, default 2), SIM_BEFORE (another oqs-sim binary, e.g. one built
#              before a change: measured in the same rounds as `oqs-sim-before`, with its ratios).
# Needs wrk (Debian: apt-get install wrk) and taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-4}
secs=${2:-10}
conns=${3:-32}
server_cpu=${SERVER_CPU:-1}
load_cpu=${LOAD_CPU:-0}
generate=${GENERATE:-1000000}
warmup=${WARMUP:-2}
for tool in wrk taskset curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install wrk util-linux curl)"; exit 2; }
done
cargo build -q --release -p sim-server --bin oqs-sim
cargo build -q --release -p oqs-benches --bin wiremock-canned --bin axum-static
bin=${CARGO_TARGET_DIR:-target}/release
request=$PWD/benches/load/OQSsiquc01req.xml
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/post.lua" <<LUA
local f = io.open("$request", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/xml"
LUA

port=$((20000 + RANDOM % 20000))
url() { echo "http://127.0.0.1:$port/xml/OQSsiquc01req"; }

# start NAME: runs one server fresh on the server core and waits until it answers.
start() {
  port=$((port + 1))
  case $1 in
    oqs-sim | oqs-sim-before)
      rm -rf "$work/ex"
      local exe=$bin/oqs-sim
      [ "$1" = oqs-sim-before ] && exe=$SIM_BEFORE
      taskset -c "$server_cpu" "$exe" --listen "127.0.0.1:$port" --exchange-dir "$work/ex" \
        --now 2021-01-06T10:00:00+09:00 --generate "$generate" >"$work/server.log" 2>&1 &
      ;;
    wiremock-canned | axum-static)
      taskset -c "$server_cpu" "$bin/$1" "127.0.0.1:$port" "$work/answer.xml" "$(cat "$work/content-type")" \
        >"$work/server.log" 2>&1 &
      ;;
  esac
  server=$!
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null --data-binary @"$request" "$(url)"; then return 0; fi
    kill -0 "$server" 2>/dev/null || { echo "$1 did not start:"; cat "$work/server.log"; exit 1; }
    sleep 0.2
  done
  echo "$1 did not answer within 120 s"; exit 1
}

stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
}

# CPU time (user + system, all threads) the server has used, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }

# measure: wrk on the load core; prints "req/s p99-in-ms server-CPU-µs-per-request".
measure() {
  taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${warmup}s" -s "$work/post.lua" "$(url)" >/dev/null
  local before after
  before=$(cpu_ticks)
  taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/post.lua" "$(url)" >"$work/wrk.out"
  after=$(cpu_ticks)
  if grep -q "Non-2xx" "$work/wrk.out"; then echo "non-2xx answers:"; cat "$work/wrk.out"; exit 1; fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    / requests in / { n = $1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); ms = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); ms = v }
      else if (v ~ /s$/) { sub(/s$/, "", v); ms = v * 1000 }
    }
    END { printf "%.0f %.3f %.2f\n", rps, ms, ticks / hz * 1e6 / n }' "$work/wrk.out"
}

# The canned answer is the simulator's own answer to the load request.
start oqs-sim
curl -sf -o "$work/answer.xml" -w '%{content_type}' --data-binary @"$request" "$(url)" >"$work/content-type"
stop
echo "answer: $(wc -c <"$work/answer.xml") bytes, $(cat "$work/content-type")"
echo "oqs-sim --generate $generate; server on CPU $server_cpu, wrk -t1 -c$conns -d${secs}s on CPU $load_cpu; $rounds rounds"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# wiremock-canned records every request (≈1 GB over a run): when the free memory is short and the
# page cache holds the rest, its page faults wait for reclaim and it runs up to 2× slower, which
# flatters the ratio to it. Quote a run with plenty free (e.g. after `sync; echo 3 >
# /proc/sys/vm/drop_caches` as root), as the README does.
echo "memory before: $(awk '/^MemFree:/ { f = $2 } /^Cached:/ { c = $2 } END { printf "%d MB free, %d MB page cache", f / 1024, c / 1024 }' /proc/meminfo)"

servers=(oqs-sim wiremock-canned axum-static)
bases=(wiremock-canned axum-static)
if [ -n "${SIM_BEFORE:-}" ]; then
  servers+=(oqs-sim-before)
  bases+=(oqs-sim-before)
fi
n=${#servers[@]}
: >"$work/results"
for r in $(seq 1 "$rounds"); do
  # A different server goes first in each round.
  line="round $r:"
  for i in $(seq 0 $((n - 1))); do
    name=${servers[$(((i + r - 1) % n))]}
    start "$name"
    read -r rps p99 cpu < <(measure)
    stop
    echo "$r $name $rps $p99 $cpu" >>"$work/results"
    line="$line $name $rps req/s p99 ${p99} ms ${cpu} µs CPU/req;"
  done
  echo "$line"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# median, min and max of the numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median %.2f (min %.2f, max %.2f)", m, v[1], v[NR] }'; }
rps_of() { awk -v n="$1" '$2 == n { print $1, $3 }' "$work/results"; }
cpu_of() { awk -v n="$1" '$2 == n { print $1, $5 }' "$work/results"; }
ratio() {
  join <(rps_of "$1" | sort) <(rps_of "$2" | sort) | awk '{ printf "%.4f\n", $2 / $3 }' | stats
}
# The same ratio from the server's CPU time per request (baseline ÷ oqs-sim): what each would
# serve with the core to itself; steadier than req/s when other work shares the server's core.
cpu_ratio() {
  join <(cpu_of "$1" | sort) <(cpu_of "$2" | sort) | awk '{ printf "%.4f\n", $3 / $2 }' | stats
}
for base in "${bases[@]}"; do
  echo "ratio oqs-sim / $base: req/s $(ratio oqs-sim "$base"); by CPU per request $(cpu_ratio oqs-sim "$base"); $rounds rounds"
done
if [ -n "${SIM_BEFORE:-}" ]; then
  for base in wiremock-canned axum-static; do
    echo "ratio oqs-sim-before / $base: req/s $(ratio oqs-sim-before "$base"); by CPU per request $(cpu_ratio oqs-sim-before "$base")"
  done
fi
for name in "${servers[@]}"; do
  echo "$name: req/s $(awk -v n="$name" '$2 == n { print $3 }' "$work/results" | stats); p99 at $conns connections (ms) $(awk -v n="$name" '$2 == n { print $4 }' "$work/results" | stats); CPU per request (µs) $(awk -v n="$name" '$2 == n { print $5 }' "$work/results" | stats)"
done
