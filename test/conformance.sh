#!/usr/bin/env bash
# Runs ../shared/conformance/check.mjs on public.json and graph.json through our CLI runner,
# once per engine backend. Every case kind by default; KINDS="shape repr" (say) limits a run
# to some kinds while debugging. Exits non-zero when any case of any file fails.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED_DIR:-../shared}"
KINDS="${KINDS-}"
tmp=$(mktemp -d)
files=()
for name in public graph; do
  cases="$shared/conformance/$name.json"
  if [ -n "$KINDS" ]; then
    node -e '
      const fs = require("fs"); const [src, dst, kinds] = process.argv.slice(1);
      const keep = new Set(kinds.split(" ")); const s = JSON.parse(fs.readFileSync(src, "utf8"));
      fs.writeFileSync(dst, JSON.stringify({ ...s, cases: s.cases.filter((c) => keep.has(c.kind)) }));
    ' "$cases" "$tmp/$name.json" "$KINDS"
    cases="$tmp/$name.json"
  fi
  files+=("$cases")
done
[ -n "$KINDS" ] && echo "conformance: kinds $KINDS"
status=0
# the TS reference, then WASM SIMD on two threads
for backend in ts wasm; do
  for cases in "${files[@]}"; do
    if [ "$backend" = ts ]; then
      echo "conformance: backend ts, $(basename "$cases")"
      node "$shared/conformance/check.mjs" --runner "npm run -s cli -- conformance" "$cases" || status=1
    else
      echo "conformance: backend wasm, 2 threads, $(basename "$cases")"
      LAYERBOARD_BACKEND=wasm LAYERBOARD_THREADS=2 node "$shared/conformance/check.mjs" --runner "npm run -s cli -- conformance" "$cases" || status=1
    fi
  done
done
exit $status
