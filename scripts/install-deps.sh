#!/usr/bin/env bash
# Installs what building and testing Tern needs on a fresh Debian/Ubuntu machine, and nothing if it
# is already there. Idempotent; uses sudo when not root. Extra Debian packages can be named as
# arguments (Benchmarks/compare-queues.sh adds the C++ anchors' headers this way).
#
#   liburing-dev  io_uring journal (TernJournal)          libnuma-dev  CPU/NUMA placement (TernSystem)
#   libzstd-dev   Databento DBN feeds (TernMarketData)    python3      scripts (hot-path check, charts)
#   python3-venv, python3-pip   the model fixtures' libraries (scripts/model-fixtures.sh)
set -euo pipefail

packages=(liburing-dev libnuma-dev libzstd-dev zlib1g-dev python3 python3-venv python3-pip binutils gzip "$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "== installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi
command -v swift > /dev/null || { echo "swift is not on the PATH: install Swift 6.2 or later (swift.org/install)"; exit 1; }
