#!/usr/bin/env bash
# Proves in the release binary that Tern's named hot paths make no retain/release, exclusivity
# checks or allocations.
#
# Builds the HotPathProbes target in release mode (each probe calls one hot API the way a client
# module does), disassembles the probes and every TernCore function they reach, and fails on any
# call to swift_retain*, swift_release*, swift_bridgeObject*, swift_beginAccess, swift_allocObject,
# swift_slowAlloc, swift_allocError, malloc and friends. It first checks itself: a deliberately
# allocating function must be caught.
#
# usage: scripts/check-hot-paths.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The probes (Sources/HotPathProbes/Probes.swift) this check requires; a missing one fails.
PROBES=(
    probeRiskEvaluate
    probeRiskSubmit
    probeRiskMayRelease
    probeJournalAppend
    probeRiskJournalOrder
    probeRiskJournalFill
    probePriceParseUTF8
    probeQuantityParseRounding
    probePriceParseString
    probeMoneyParseUTF8
    probePriceWriteDecimal
    probeNotional
    probeSpecChecks
    probeRoundToTick
    probePriceFromDouble
    probeMoneyAccumulate
    probeSPSCTryPush
    probeSPSCTryPop
    probeSPSCClaim
    probeSPSCCommit
    probeSPSCClaimBatch
    probeSPSCDrain
    probeSPSCPopBusySpin
    probeMPSCTryPush
    probeMPSCTryPop
    probeMPSCDrain
    probeBroadcastTryPush
    probeBroadcastTryPop
    probeBroadcastDrain
    probeByteRingClaimCommit
    probeByteRingRead
    probeForestQuantize
    probeForestQuantizeFeature
    probeForestMargins
    probeForestPredict
    probeForestPredictBatch
    probeForestLeafIDs
    probeL2Set
    probeL3Add
    probeL3Cancel
    probeL3Execute
    probeL3Modify
    probeL3Delete
    probeL3Replace
    probeDBNApplyMBO
    probeDBNApplyMBP1
    probeDBNNext
)

echo "== hot-path check: self-test (an allocating function must fail)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/Bad.swift" <<'EOF'
final class Box { var value = 0 }
@inline(never) public func probeAllocates(_ n: Int) -> Int { let b = Box(); b.value = n; return b.value &+ [n, n].count }
public struct Big { var t = SIMD64<UInt64>() }
@inline(never) func read(_ b: Big) -> UInt64 { b.t[3] }
@inline(never) public func probeCopies(_ p: UnsafeMutablePointer<Big>) -> UInt64 { let c = p.pointee; p.pointee.t[3] = 1; return read(c) }
EOF
swiftc -O -parse-as-library -module-name HotPathSelfTest -c "$tmp/Bad.swift" -o "$tmp/Bad.o"
if python3 scripts/hot_path_check.py --roots '$s15HotPathSelfTest' "$tmp/Bad.o" > "$tmp/self.txt"; then
    cat "$tmp/self.txt"
    echo "self-test FAILED: the checker did not catch an allocation"
    exit 1
fi
grep -q "swift_allocObject" "$tmp/self.txt" || { cat "$tmp/self.txt"; echo "self-test FAILED"; exit 1; }
grep -q "memcpy of 512 bytes" "$tmp/self.txt" || { cat "$tmp/self.txt"; echo "self-test FAILED: a 512-byte copy was not caught"; exit 1; }
echo "ok       the checker catches swift_allocObject and a 512-byte copy"

echo "== hot-path check: building HotPathProbes (release)"
swift build -c release --target HotPathProbes 2>&1 | grep -E "error|warning:|Compiling|Build" || true
objects=(.build/release/HotPathProbes.build/*.o .build/release/TernCore.build/*.o
    .build/release/TernQueues.build/*.o .build/release/TernSystem.build/*.o
    .build/release/TernInference.build/*.o .build/release/CTernTrees.build/*.o .build/release/TernRisk.build/*.o
    .build/release/TernJournal.build/*.o .build/release/TernMarketData.build/*.o)

echo "== hot-path check: probes and everything they call"
python3 scripts/hot_path_check.py --roots '$s13HotPathProbes' --name-contains 'HotPathProbes.probe' --cold '.cold' --expect "${PROBES[*]}" "${objects[@]}"
