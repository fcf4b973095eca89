#!/usr/bin/env bash
# npm test: unit tests, type checks, PyTorch conformance, browser tests; then one
# closing line with the totals of every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
echo "== unit tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/unit.json"
echo "== type check (svelte-check + tsc)"; npm run -s check
echo "== lint (ESLint: floating promises, unused, exhaustive switches) and format (Prettier)"; npm run -s lint; npm run -s format:check
echo "== PyTorch conformance"; bash test/conformance.sh | tee "$results/conformance.txt"
echo "== hostile inputs (a seeded sample; npm run test:hostile runs them all)"
npm run -s test:hostile -- --sample 200 | tee "$results/hostile.txt"
echo "== browser tests (headless Chromium)"
npx vitest run --config vitest.browser.config.ts --reporter=default --reporter=json --outputFile.json="$results/browser.json"
node -e '
  const fs = require("fs"); const dir = process.argv[1];
  let passed = 0, failed = 0;
  for (const f of ["unit.json", "browser.json"]) {
    const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
  }
  for (const m of fs.readFileSync(`${dir}/conformance.txt`, "utf8").matchAll(/^(\d+) passed, (\d+) failed$/gm)) {
    passed += Number(m[1]); failed += Number(m[2]);
  }
  // each hostile input counts: a clear error or a correct accept passes, anything else fails
  const h = /^hostile: (\d+) tried, (\d+) clear errors, (\d+) correct accepts/m.exec(fs.readFileSync(`${dir}/hostile.txt`, "utf8"));
  if (h) { passed += Number(h[2]) + Number(h[3]); failed += Number(h[1]) - Number(h[2]) - Number(h[3]); }
  console.log(`total: ${passed} passed, ${failed} failed`);
' "$results"
