#!/usr/bin/env bash
# Opens a conformance report.html in headless Chromium and checks the RENDERED DOM: the summary,
# the verdict, and the failing check's near-miss diff (expected vs actual).
#
#   conformance/ci/check-html.sh REPORT.html CHECK-ID EXPECTED ACTUAL
#
# e.g. conformance/ci/check-html.sh reports/…/report.html CHK-O-003 '無効（新しい資格あり）' '無効'
set -euo pipefail
html=$1 check=$2 expected=$3 actual=$4
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check-html: chromium is not installed"; exit 1; }
dom=$(mktemp)
trap 'rm -f "$dom"' EXIT
# --no-sandbox: CI runs as root; a fresh profile keeps runs apart.
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$(mktemp -d)" \
  --dump-dom "file://$(realpath "$html")" >"$dom" 2>/dev/null
fail() { echo "check-html: $1 (rendered DOM: $dom)"; trap - EXIT; exit 1; }
grep -q '<section id="summary">' "$dom" || fail "no summary section"
grep -q '概要 / Summary' "$dom" || fail "no summary heading"
grep -q '不合格 / FAILED' "$dom" || fail "the verdict is not FAILED"
grep -q "<article class=\"failure\" id=\"$check\">" "$dom" || fail "no failure section for $check"
# The diff row of the failing check, expected then actual, as the browser rendered it.
sed -n "/<article class=\"failure\" id=\"$check\">/,/<\/article>/p" "$dom" >"$dom.check"
grep -q "<td class=\"exp\">$expected</td><td class=\"act\">$actual</td>" "$dom.check" \
  || fail "no diff row 「$expected」→「$actual」 for $check"
rm -f "$dom.check"
echo "check-html: $html renders the summary and $check's diff (「$expected」 expected, 「$actual」 actual)"
