#!/usr/bin/env bash
# npm test: unit tests, type checks, PyTorch conformance, browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== unit tests (vitest)"; npx vitest run
echo "== type check (svelte-check + tsc)"; npm run -s check
echo "== PyTorch conformance"; bash test/conformance.sh
echo "== browser tests (headless Chromium)"; npx vitest run --config vitest.browser.config.ts
