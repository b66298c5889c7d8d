#!/usr/bin/env bash
# Tern's SPSCRing against the best C++ SPSC queues, in one run, on one machine, interleaved.
#
# Builds Benchmarks/QueueCompare/anchors.cpp (boost::lockfree::spsc_queue and moodycamel
# ReaderWriterQueue from Debian's libboost-dev and libreaderwriterqueue-dev, g++ -O3 -march=native)
# and the Swift tool queue-compare (release), then runs ROUNDS rounds. Each round measures the
# one-line cache-transfer probe, then for 8- and 64-byte payloads: throughput and round-trip
# latency of every queue (order rotated per round), the batch APIs (boost's array push/pop against
# Tern's claim/commit + drain), and Tern's MPSC and broadcast rings. Producer on CPU $TERN_CPU_A,
# consumer on $TERN_CPU_B (default 0 and 1), capacity 65536.
#
# Prints, separately for the VM's fast and slow cache-transfer states (a probe runs before every
# measurement), the median of every cell and Tern's ratio to the best anchor, with the goals of
# issue 3 / ringbuf.md. Raw lines go to $OUT (default .build/queue-compare.txt); the
# chart to docs/benchmarks/queues.svg when --svg is given.
#
# usage: Benchmarks/compare-queues.sh [--rounds N] [--messages N] [--svg]
set -euo pipefail
cd "$(dirname "$0")"

rounds=5
messages=$((1 << 24))
svg=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --svg) svg="../docs/benchmarks/queues.svg"; shift ;;
        *) echo "usage: $0 [--rounds N] [--messages N] [--svg]"; exit 2 ;;
    esac
done
samples=200000
out=${OUT:-.build/queue-compare.txt}

../scripts/install-deps.sh libboost-dev libreaderwriterqueue-dev g++
mkdir -p .build
echo "== building the C++ anchors (g++ -O3 -march=native) and queue-compare (swift -c release)"
g++ -O3 -march=native -std=c++17 -pthread -Wall -Wextra -o .build/queue-anchors QueueCompare/anchors.cpp
swift build -c release --product queue-compare 2>&1 | grep -E "error|warning: |Build" || true
tern=.build/release/queue-compare
anchors=.build/queue-anchors

{
    echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs online, $(uname -r)"
    echo "toolchain: $(swift --version 2>/dev/null | head -1); $(g++ --version | head -1)"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ); load: $(cut -d' ' -f1-3 /proc/loadavg); CPUs ${TERN_CPU_A:-0} and ${TERN_CPU_B:-1}"
} | tee "$out"

# Every measurement line carries the probe taken just before it (probe_ns): the VM's cost of a
# cache-line transfer drifts between ~100 ns and ~400 ns within minutes, and every queue moves with
# it, so the summary compares queues only within one state.
measure() {
    local probe
    probe=$($anchors probe | sed 's/.*p50_ns=//')
    "$@" | sed "s/^/round=$round probe_ns=$probe /"
}

for round in $(seq 1 "$rounds"); do
    echo "== round $round/$rounds (load $(cut -d' ' -f1 /proc/loadavg))"
    {
        for payload in 8 64; do
            queues=(boost rwq tern)
            # Rotate the order each round so no queue always runs first or last.
            shift_by=$(( (round - 1) % 3 ))
            order=("${queues[@]:$shift_by}" "${queues[@]:0:$shift_by}")
            for q in "${order[@]}"; do
                if [ "$q" = tern ]; then
                    measure $tern tern tput $payload "$messages"
                    measure $tern tern rtt $payload $samples
                else
                    measure $anchors "$q" tput $payload "$messages"
                    measure $anchors "$q" rtt $payload $samples
                fi
            done
            if [ $((round % 2)) -eq 0 ]; then
                measure $tern tern batch $payload "$messages"
                measure $anchors boost batch $payload "$messages"
            else
                measure $anchors boost batch $payload "$messages"
                measure $tern tern batch $payload "$messages"
            fi
        done
        for design in mpsc-lanes mpsc-cas; do
            for producers in 1 2; do
                measure $tern $design $producers 8 $((messages / 4))
            done
        done
        for mode in broadcast-gated broadcast-lapping; do
            for consumers in 1 2; do
                measure $tern $mode $consumers 8 $((messages / 4))
            done
        done
    } | tee -a "$out" | grep -E "queue=tern " | sed 's/^/   /' || true
done

echo
python3 QueueCompare/summarize.py "$out" ${svg:+--svg "$svg"}
