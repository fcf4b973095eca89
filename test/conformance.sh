#!/usr/bin/env bash
# Runs ../shared/conformance/check.mjs on public.json through our CLI runner.
# Every case kind by default; KINDS="shape repr" (say) limits a run to some kinds while debugging.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED_DIR:-../shared}"
cases="$shared/conformance/public.json"
KINDS="${KINDS-}"
if [ -n "$KINDS" ]; then
  tmp=$(mktemp -d)
  node -e '
    const fs = require("fs"); const [src, dst, kinds] = process.argv.slice(1);
    const keep = new Set(kinds.split(" ")); const s = JSON.parse(fs.readFileSync(src, "utf8"));
    fs.writeFileSync(dst, JSON.stringify({ ...s, cases: s.cases.filter((c) => keep.has(c.kind)) }));
  ' "$cases" "$tmp/cases.json" "$KINDS"
  cases="$tmp/cases.json"
  echo "conformance: kinds $KINDS"
fi
# once per engine backend: the TS reference, then WASM SIMD on two threads
echo "conformance: backend ts"
status=0
node "$shared/conformance/check.mjs" --runner "npm run -s cli -- conformance" "$cases" || status=1
echo "conformance: backend wasm, 2 threads"
LAYERBOARD_BACKEND=wasm LAYERBOARD_THREADS=2 node "$shared/conformance/check.mjs" --runner "npm run -s cli -- conformance" "$cases" || status=1
exit $status
