#!/usr/bin/env bash
# TernJournal (issue 6): engine-thread append cost, what journaling adds to RiskEngine.submit, and
# durable throughput with 64-byte events and 1 ms group commit against a plain write + fdatasync
# loop with the same batching, in one run; writes docs/benchmarks/journal.md and journal.svg.
#
# The journal files go to Benchmarks/.build/journal-bench (the real disk: on tmpfs fdatasync costs
# nothing and the comparison says nothing). Removed at the end.
#
# usage: Benchmarks/compare-journal.sh [--events N] [--appends N] [--reps N]
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p ../docs/benchmarks
echo "== building journal-compare (release)"
swift build -c release --product journal-compare 2>&1 | grep -E "error|Compiling|Build" || true
.build/release/journal-compare --dir .build/journal-bench --markdown ../docs/benchmarks/journal.md --svg ../docs/benchmarks/journal.svg "$@"
