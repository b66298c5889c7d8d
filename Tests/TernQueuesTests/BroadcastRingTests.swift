import Synchronization
import Testing

@testable import TernQueues

@Suite("BroadcastRing")
struct BroadcastRingTests {
    @Test("the producer block, halt block and each consumer block are 128 bytes apart")
    func layout() throws {
        let ring = try BroadcastRing<Message64>(capacity: 16, consumers: 3, mode: .lapping)
        let base = ring.storage.base
        #expect(ring.producerBlock == base)
        #expect(UnsafeMutableRawPointer(ring.tail) == base)
        #expect(UnsafeMutableRawPointer(ring.intent) == base + 8)
        #expect(UnsafeMutableRawPointer(ring.cachedMinimumHead) == base + 16)
        #expect(UnsafeMutableRawPointer(ring.haltFlag.word) == base + 128)
        #expect(ring.consumerBlocks == base + 256)
        #expect(ring.consumerBlockSize == 256)  // 128 control + 64-byte scratch rounded to 128
        for i in 0..<3 {
            let consumer = ring.consumer(i)
            #expect(consumer.block == base + 256 + i * 256)
            #expect(UnsafeMutableRawPointer(consumer.lost) == consumer.block + 16)
            #expect(consumer.scratch == consumer.block + 128)
        }
        #expect(ring.slots == base + 256 + 3 * 256)
        #expect(ring.slotStride == 64)
    }

    @Test("odd-sized elements are stored in whole words")
    func oddSizedElement() throws {
        struct Odd: BitwiseCopyable, Equatable {
            var a: UInt32
            var b: UInt8
        }
        for mode in [BroadcastMode.gated, .lapping] {
            let ring = try BroadcastRing<Odd>(capacity: 4, consumers: 1, mode: mode)
            #expect(ring.slotStride == 8)
            for i in 0..<10 {
                let value = Odd(a: UInt32(i) &* 0x0101_0101, b: UInt8(i))
                #expect(ring.tryPush(value) == .pushed)
                #expect(ring.consumer(0).tryPop() == value)
            }
        }
    }

    @Test(
        "gated, every capacity 1...10 at every wrap position: the slowest consumer gates the producer",
        arguments: 1...10)
    func gatedEveryWrapPosition(capacity: Int) throws {
        let ring = try BroadcastRing<UInt64>(capacity: capacity, consumers: 2, mode: .gated)
        let fast = ring.consumer(0)
        let slow = ring.consumer(1)
        var next: UInt64 = 0
        var slowNext: UInt64 = 0
        for _ in 0..<(2 * _powerOfTwo(atLeast: capacity) + 1) {
            for _ in 0..<capacity {
                #expect(ring.tryPush(next) == .pushed)
                #expect(fast.tryPop() == next)
                next += 1
            }
            #expect(fast.tryPop() == nil)
            #expect(ring.tryPush(999) == .full, "the slow consumer has not read anything")
            for _ in 0..<capacity {
                #expect(slow.tryPop() == slowNext)
                slowNext += 1
            }
            #expect(slow.tryPop() == nil)
        }
        #expect(fast.lostCount == 0 && slow.lostCount == 0)
        #expect(ring.pushedCount == next)
    }

    @Test(
        "lapping, every power-of-two capacity: a consumer lapped by k messages loses exactly k",
        arguments: [1, 2, 4, 8])
    func lappingLossCount(capacity: Int) throws {
        let ring = try BroadcastRing<UInt64>(capacity: capacity, consumers: 2, mode: .lapping)
        #expect(ring.capacity == capacity)
        let keeper = ring.consumer(0)
        let laggard = ring.consumer(1)
        var next: UInt64 = 0
        var expectedLoss: UInt64 = 0
        for extra in 0..<(3 * capacity) {
            let start = next
            for _ in 0..<(capacity + extra) {
                #expect(ring.tryPush(next) == .pushed)
                next += 1
            }
            // The laggard sees the newest `capacity` messages and counts the rest as lost.
            expectedLoss += UInt64(extra)
            for i in 0..<capacity { #expect(laggard.tryPop() == start + UInt64(extra + i)) }
            #expect(laggard.tryPop() == nil)
            #expect(laggard.lostCount == expectedLoss)
            #expect(laggard.position == next)
            // The keeper drains in batches and loses the same.
            var seen: [UInt64] = []
            while keeper.drain(maxCount: 3, { seen.append($0) }) > 0 {}
            #expect(seen == Array((start + UInt64(extra))..<next))
            #expect(keeper.lostCount == expectedLoss)
        }
    }

    @Test("lapping capacities are rounded up to a power of two")
    func lappingCapacityRounds() throws {
        for (requested, actual) in [(1, 1), (3, 4), (5, 8), (10, 16)] {
            #expect(try BroadcastRing<UInt64>(capacity: requested, consumers: 1, mode: .lapping).capacity == actual)
            #expect(try BroadcastRing<UInt64>(capacity: requested, consumers: 1, mode: .gated).capacity == requested)
        }
    }

    @Test("a lapping producer never waits")
    func lappingNeverFull() throws {
        let ring = try BroadcastRing<UInt64>(capacity: 2, consumers: 1, mode: .lapping)
        for i in 0..<1_000 { #expect(ring.push(UInt64(i)) == .pushed) }
        #expect(ring.consumer(0).tryPop() == 998)
        #expect(ring.consumer(0).lostCount == 998)
    }

    @Test("arguments out of range are refused")
    func arguments_outOfRange_areRefused() {
        #expect(throws: RingError.invalidCount(what: "consumer", requested: 0, maximum: 1024)) {
            try BroadcastRing<UInt64>(capacity: 4, consumers: 0, mode: .gated)
        }
        #expect(throws: RingError.invalidCapacity(requested: -4, maximum: 1 << 40)) {
            try BroadcastRing<UInt64>(capacity: -4, consumers: 2, mode: .gated)
        }
    }

    @Test("halt wakes blocked consumers and a producer blocked on the slowest consumer")
    func halt() throws {
        let ring = try BroadcastRing<UInt64>(capacity: 1, consumers: 2, mode: .gated)
        #expect(ring.tryPush(1) == .pushed)
        #expect(ring.consumer(0).tryPop() == 1)
        let results = Slot<(PushResult, UInt64?, WaitResult)>((.pushed, 0, .ready))
        let consumerResult = Slot<UInt64?>(0)
        try runConcurrently([
            { results.value.0 = ring.push(2, waiting: .spinPause) },
            { consumerResult.value = ring.consumer(0).pop(waiting: .yielding()) },
            {
                sleepThreadForTests()
                ring.halt()
            },
        ])
        #expect(results.value.0 == .halted)
        #expect(consumerResult.value == nil)
        #expect(ring.consumer(1).waitForData() == .halted)
        #expect(ring.consumer(1).tryPop() == 1, "the slow consumer still gets its message")
        ring.resume()
        #expect(ring.push(2) == .pushed)
        #expect(ring.consumer(1).pop() == 2)
    }

    @Test("gated, three consumer threads: each sees the full sequence, intact")
    func gatedStress() throws {
        let count = stressCount(200_000)
        let consumers = 3
        let ring = try BroadcastRing<Message64>(capacity: 512, consumers: consumers, mode: .gated)
        let results = (0..<consumers).map { _ in Slot((count: 0, ordered: true, intact: true)) }
        var bodies: [@Sendable () -> Void] = [
            {
                for s in 0..<UInt64(count) { _ = ring.push(Message64(producer: 0, sequence: s), waiting: .yielding()) }
            }
        ]
        for c in 0..<consumers {
            bodies.append {
                let consumer = ring.consumer(c)
                var state = results[c].value
                func take(_ m: Message64) {
                    state.ordered = state.ordered && m.sequence == UInt64(state.count)
                    state.intact = state.intact && m.isIntact
                    state.count += 1
                }
                while state.count < count {
                    if c == 0, let m = consumer.pop(waiting: .yielding()) {
                        take(m)
                    } else if consumer.drain(maxCount: 32, { m in take(copy m) }) == 0 {
                        _ = consumer.waitForData(waiting: .yielding())
                    }
                }
                results[c].value = state
            }
        }
        try runConcurrently(bodies)
        for c in 0..<consumers {
            #expect(results[c].value.count == count)
            #expect(results[c].value.ordered)
            #expect(results[c].value.intact)
            #expect(ring.consumer(c).lostCount == 0)
        }
    }

    @Test("lapping, a slow and a fast consumer: received + lost = published, increasing, never torn")
    func lappingStress() throws {
        let count = stressCount(300_000)
        let ring = try BroadcastRing<Message64>(capacity: 64, consumers: 2, mode: .lapping)
        let done = Slot(false)
        let finished = Flag()
        let results = (0..<2).map { _ in Slot((received: 0, increasing: true, intact: true)) }
        let body: @Sendable (Int) -> Void = { c in
            let consumer = ring.consumer(c)
            var state = results[c].value
            var last: Int64 = -1
            var spin = 0
            while true {
                let stop = finished.isRaised
                if let m = consumer.tryPop() {
                    state.received += 1
                    state.increasing = state.increasing && Int64(m.sequence) > last
                    state.intact = state.intact && m.isIntact
                    last = Int64(m.sequence)
                    // The slow consumer dawdles so that it gets lapped.
                    if c == 1 { for _ in 0..<200 { spin &+= 1 } }
                } else if stop {
                    break
                }
            }
            results[c].value = state
            _ = spin
        }
        try runConcurrently([
            {
                for s in 0..<UInt64(count) { _ = ring.tryPush(Message64(producer: 0, sequence: s)) }
                finished.raise()
                done.value = true
            },
            { body(0) },
            { body(1) },
        ])
        for c in 0..<2 {
            let consumer = ring.consumer(c)
            #expect(UInt64(results[c].value.received) + consumer.lostCount == UInt64(count))
            #expect(results[c].value.increasing)
            #expect(results[c].value.intact)
        }
        #expect(done.value)
        #expect(ring.consumer(1).lostCount > 0, "the slow consumer was lapped, so the loss path ran")
    }
}
