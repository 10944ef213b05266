#!/usr/bin/env bash
# Runs every test: builds the Headscale versions the end-to-end tests need (cached outside the
# checkout), type-checks, then runs the unit, integration and end-to-end tests with vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-headscale.sh
bash scripts/setup-postgres.sh
npx tsc -p tsconfig.json --noEmit

mkdir -p .test-output
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.test-output/vitest.json "$@" || status=$?

# One plain closing line for CI systems that read the summary rather than the exit code.
if [ -f .test-output/vitest.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(".test-output/vitest.json", "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  '
fi
exit "$status"
