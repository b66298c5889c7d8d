#!/usr/bin/env bash
# The test suite: installs the system libraries, builds with the import check that keeps module
# layering honest, and runs `swift test`, whose own summary is the last thing printed.
# TERN_LONG_TESTS=1 multiplies the property-test counts by 10.
#
# It also decodes ../shared/data with independent decoders for the market-data tests
# (scripts/feed-references.sh: databento-dbn and itchfeed from PyPI, into .build/), and trains the
# model fixtures the inference tests compare against (scripts/model-fixtures.sh:
# xgboost, lightgbm and catboost from PyPI, into .build/). Without network access those tests are
# skipped outside CI; under CI=true a failure here fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if fixtures=$(scripts/model-fixtures.sh); then
    export TERN_MODEL_FIXTURES="$PWD/$fixtures"
elif [ -n "${CI:-}" ]; then
    echo "model fixtures could not be made (see above)"; exit 1
else
    echo "warning: model fixtures could not be made (no PyPI?); the library-trained model tests are skipped"
fi
if references=$(scripts/feed-references.sh); then
    export TERN_FEED_REFERENCES="$PWD/$references"
elif [ -n "${CI:-}" ]; then
    echo "feed references could not be made (see above)"; exit 1
else
    echo "warning: feed references could not be made (no PyPI?); the cross-decoder tests are skipped"
fi
echo "== build (with --explicit-target-dependency-import-check error)"
swift build --build-tests --explicit-target-dependency-import-check error 2>&1 | grep -E "error|warning: |Build" || true
echo "== swift test"
# Progress lines are dropped; failures, suite results and the final summary are kept. The exit
# status is swift test's own.
set +e +o pipefail
swift test --disable-xctest --explicit-target-dependency-import-check error 2>&1 | grep -vE "^(􀟈|◇|↳)|started\.$" \
    | grep -vE "^✔ Test [^r].* (passed|with [0-9]+ test cases? passed) after|^✔ Test run[^ ]"
status=${PIPESTATUS[0]}
exit "$status"
