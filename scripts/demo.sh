#!/usr/bin/env bash
# The main job: builds the reference host `tern` (release) and runs its built-in default, the demo.
# Installs the system libraries it needs first. Extra arguments go to `tern demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product tern 2>&1 | grep -E "error|warning: |Compiling tern|Build" || true
exec .build/release/tern demo "$@"
