import Synchronization
import TernSystem
import Testing

@testable import TernQueues

@Suite("SPSCRing")
struct SPSCRingTests {
    @Test("the control words sit 128 bytes apart, the slots 128-aligned after the halt block")
    func layout() throws {
        let ring = try SPSCRing<Message64>(capacity: 8)
        let base = ring.storage.base
        #expect(Int(bitPattern: base) % 128 == 0)
        #expect(UnsafeMutableRawPointer(ring.lane.tail) == base)
        #expect(UnsafeMutableRawPointer(ring.lane.cachedHead) == base + 8)
        #expect(UnsafeMutableRawPointer(ring.lane.claimed) == base + 16)
        #expect(UnsafeMutableRawPointer(ring.lane.head) == base + 128)
        #expect(UnsafeMutableRawPointer(ring.lane.cachedTail) == base + 136)
        #expect(UnsafeMutableRawPointer(ring.haltFlag.word) == base + 256)
        #expect(UnsafeMutableRawPointer(ring.lane.slots) == base + 384)
        #expect(MemoryLayout<Message64>.stride == 64)
        #expect(MemoryLayout<Atomic<UInt64>>.size == 8)
    }

    @Test("capacity is exact; storage is rounded up to a power of two", arguments: 1...10)
    func capacity_isExact(capacity: Int) throws {
        let ring = try SPSCRing<UInt64>(capacity: capacity)
        #expect(ring.capacity == capacity)
        #expect(ring.slotCount == _powerOfTwo(atLeast: capacity))
        #expect(ring.slotCount.nonzeroBitCount == 1)
    }

    @Test("a zero, negative or huge capacity is refused with the range")
    func capacity_outOfRange_isRefused() {
        for bad in [0, -1, (1 << 40) + 1, Int.max] {
            #expect(throws: RingError.invalidCapacity(requested: bad, maximum: 1 << 40)) {
                try SPSCRing<UInt64>(capacity: bad)
            }
        }
        #expect(RingError.invalidCapacity(requested: 0, maximum: 8).description == "ring capacity 0 is not in 1...8")
    }

    @Test("every capacity 1...10 at every wrap position: fills to exactly capacity, drains in order", arguments: 1...10)
    func everyWrapPosition(capacity: Int) throws {
        let ring = try SPSCRing<UInt64>(capacity: capacity)
        var next: UInt64 = 0
        var expected: UInt64 = 0
        // Walk the start position through two full laps of the slot array.
        for _ in 0..<(2 * ring.slotCount + 1) {
            #expect(ring.tryPop() == nil)
            for _ in 0..<capacity {
                #expect(ring.tryPush(next) == .pushed)
                next += 1
            }
            #expect(ring.tryPush(999) == .full)
            #expect(ring.count == capacity)
            for _ in 0..<capacity {
                #expect(ring.tryPop() == expected)
                expected += 1
            }
            #expect(ring.tryPop() == nil)
            // Advance the start position by one.
            #expect(ring.tryPush(next) == .pushed)
            next += 1
            #expect(ring.tryPop() == expected)
            expected += 1
        }
        #expect(ring.pushedCount == next && ring.poppedCount == expected)
    }

    @Test("interleaved push/pop at every fill level keeps FIFO order", arguments: 1...10)
    func interleaved(capacity: Int) throws {
        let ring = try SPSCRing<UInt64>(capacity: capacity)
        var model: [UInt64] = []
        var next: UInt64 = 0
        var rng = SplitMix64(seed: UInt64(capacity))
        for _ in 0..<5_000 {
            if rng.next() % 2 == 0 {
                let result = ring.tryPush(next)
                if model.count < capacity {
                    #expect(result == .pushed)
                    model.append(next)
                } else {
                    #expect(result == .full)
                }
                next += 1
            } else {
                #expect(ring.tryPop() == model.first)
                if !model.isEmpty { model.removeFirst() }
            }
            #expect(ring.count == model.count)
        }
    }

    @Test("claim/commit publishes in place; an abandoned claim publishes nothing", arguments: 1...10)
    func claimCommit(capacity: Int) throws {
        let ring = try SPSCRing<UInt64>(capacity: capacity)
        for round in 0..<UInt64(3 * ring.slotCount) {
            // Abandoned claim: written but not committed.
            let abandoned = try #require(ring.claim())
            abandoned.pointee = 0xDEAD
            #expect(ring.tryPop() == nil)
            // Reclaimed: the same slot, now committed.
            let slot = try #require(ring.claim())
            #expect(slot == abandoned)
            slot.pointee = round
            ring.commit()
            #expect(ring.tryPop() == round)
        }
        // Full: claim returns nil.
        for i in 0..<capacity { #expect(ring.tryPush(UInt64(i)) == .pushed) }
        #expect(ring.claim() == nil)
        #expect(ring.claim(upTo: 4).isEmpty)
    }

    @Test("claim(upTo:) stops at the end of the slot array and at the free space", arguments: 1...10)
    func batchClaim(capacity: Int) throws {
        let ring = try SPSCRing<UInt64>(capacity: capacity)
        var next: UInt64 = 0
        var expected: UInt64 = 0
        for _ in 0..<(4 * ring.slotCount) {
            let free = capacity - ring.count
            let index = Int(ring.pushedCount) & (ring.slotCount - 1)
            let batch = ring.claim(upTo: 3)
            #expect(batch.count == min(3, free, ring.slotCount - index))
            for i in batch.indices {
                batch[i] = next
                next += 1
            }
            // Commit all but (sometimes) the last one: the rest is abandoned.
            let keep = batch.count > 1 ? batch.count - 1 : batch.count
            next -= UInt64(batch.count - keep)
            ring.commit(count: keep)
            let drained = ring.drain(maxCount: 2) { value in
                #expect(value == expected)
                expected += 1
            }
            #expect(drained <= 2)
        }
        _ = ring.drain(maxCount: .max) { value in
            #expect(value == expected)
            expected += 1
        }
        #expect(expected == next)
    }

    @Test("drain takes at most maxCount, in order, and publishes the head once")
    func drainBatch() throws {
        let ring = try SPSCRing<UInt64>(capacity: 10)
        for i in 0..<10 { #expect(ring.tryPush(UInt64(i)) == .pushed) }
        var seen: [UInt64] = []
        #expect(ring.drain(maxCount: 4) { seen.append($0) } == 4)
        #expect(ring.poppedCount == 4)
        #expect(ring.drain(maxCount: 0) { seen.append($0) } == 0)
        #expect(ring.drain(maxCount: -3) { seen.append($0) } == 0)
        #expect(ring.drain(maxCount: 100) { seen.append($0) } == 6)
        #expect(seen == Array(0..<10))
        #expect(ring.drain(maxCount: 100) { _ in Issue.record("empty ring delivered") } == 0)
    }

    @Test("commit of more than was claimed is a programmer error")
    func commitWithoutClaim_traps() async {
        await #expect(processExitsWith: .failure) {
            let ring = try SPSCRing<UInt64>(capacity: 4)
            ring.commit()
        }
    }

    @Test("halt wakes a consumer blocked on an empty ring and keeps later messages")
    func halt_wakesBlockedConsumer() throws {
        let ring = try SPSCRing<UInt64>(capacity: 4)
        let result = Slot<UInt64?>(42)
        try runConcurrently([
            { result.value = ring.pop(waiting: .spinPause) },
            {
                sleepThread(nanoseconds: 20_000_000)
                ring.halt()
            },
        ])
        #expect(result.value == nil)
        #expect(ring.isHalted)
        #expect(ring.waitForData() == .halted)
        #expect(ring.tryPush(7) == .pushed)
        #expect(ring.pop() == nil, "a halted ring does not hand out messages through pop")
        #expect(ring.tryPop() == 7, "but nothing is lost")
        ring.resume()
        #expect(!ring.isHalted)
        #expect(ring.tryPush(8) == .pushed)
        #expect(ring.pop() == 8)
    }

    @Test("halt wakes a producer blocked on a full ring, with nothing written")
    func halt_wakesBlockedProducer() throws {
        let ring = try SPSCRing<UInt64>(capacity: 2)
        #expect(ring.tryPush(1) == .pushed)
        #expect(ring.tryPush(2) == .pushed)
        let result = Slot<PushResult>(.pushed)
        try runConcurrently([
            {
                result.value = ring.push(
                    3, waiting: .parking(spins: 10, yields: 2, minimumPark: 1_000, maximumPark: 100_000))
            },
            {
                sleepThread(nanoseconds: 20_000_000)
                ring.halt()
            },
        ])
        #expect(result.value == .halted)
        #expect(ring.tryPop() == 1)
        #expect(ring.tryPop() == 2)
        #expect(ring.tryPop() == nil)
    }

    @Test("the park period doubles from the minimum to the maximum after the spins and yields")
    func parkingLadder() {
        let park = ParkingWait(spins: 2, yields: 1, minimumPark: 1_000, maximumPark: 10_000)
        #expect((0..<8).map(park.parkPeriod(after:)) == [0, 0, 0, 1_000, 2_000, 4_000, 8_000, 10_000])
        #expect(park.parkPeriod(after: 1_000) == 10_000)
        #expect(park.parkPeriod(after: .max - 100) == 10_000)
    }

    @Test(
        "two threads: every message arrives once, in order, intact",
        arguments: ["busySpin", "spinPause", "yielding", "parking"])
    func stress(strategy: String) throws {
        let count = stressCount(strategy == "parking" ? 200_000 : 1_000_000)
        let ring = try SPSCRing<Message64>(capacity: 1024)
        let received = Slot((count: 0, digest: UInt64(0), inOrder: true, intact: true))
        let consumer: @Sendable () -> Void = {
            var state = received.value
            var expected: UInt64 = 0
            func take(_ m: Message64) {
                state.inOrder = state.inOrder && m.sequence == expected
                state.intact = state.intact && m.isIntact
                state.digest &+= m.digest
                expected += 1
            }
            while Int(expected) < count {
                // Alternate single pops and batches.
                if expected % 3 == 0 {
                    let got: Message64?
                    switch strategy {
                    case "busySpin": got = ring.pop()
                    case "spinPause": got = ring.pop(waiting: .spinPause)
                    case "yielding": got = ring.pop(waiting: .yielding())
                    default: got = ring.pop(waiting: .parking(maximumPark: 50_000))
                    }
                    guard let got else { break }
                    take(got)
                } else {
                    _ = ring.drain(maxCount: 100) { m in take(copy m) }
                }
            }
            state.count = Int(expected)
            received.value = state
        }
        let producer: @Sendable () -> Void = {
            var sequence: UInt64 = 0
            while Int(sequence) < count {
                switch sequence % 4 {
                case 0:
                    _ = ring.push(Message64(producer: 0, sequence: sequence), waiting: .spinPause)
                    sequence += 1
                case 1:
                    if let slot = ring.claim() {
                        slot.initialize(to: Message64(producer: 0, sequence: sequence))
                        ring.commit()
                        sequence += 1
                    }
                case 2:
                    let batch = ring.claim(upTo: min(64, count - Int(sequence)))
                    for i in batch.indices { batch[i] = Message64(producer: 0, sequence: sequence + UInt64(i)) }
                    ring.commit(count: batch.count)
                    sequence += UInt64(batch.count)
                default:
                    if ring.tryPush(Message64(producer: 0, sequence: sequence)) == .pushed { sequence += 1 }
                }
            }
        }
        try runConcurrently([consumer, producer])
        var digest: UInt64 = 0
        for s in 0..<UInt64(count) { digest &+= Message64(producer: 0, sequence: s).digest }
        #expect(received.value.count == count)
        #expect(received.value.inOrder)
        #expect(received.value.intact)
        #expect(received.value.digest == digest)
        #expect(ring.count == 0)
    }
}
