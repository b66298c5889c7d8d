import Testing

@testable import TernQueues

@Suite("MPSCRing")
struct MPSCRingTests {
    @Test("producer and consumer words are 128 bytes apart; lanes and slots are 128-aligned")
    func layout() throws {
        let ring = try MPSCRing<Message64>(producers: 3, capacityPerProducer: 5)
        let base = ring.storage.base
        #expect(UnsafeMutableRawPointer(ring.haltFlag.word) == base)
        #expect(UnsafeMutableRawPointer(ring.nextLane) == base + 128)
        for i in 0..<3 {
            let lane = ring.lanes[i]
            #expect(Int(bitPattern: lane.producerBlock) % 128 == 0)
            #expect(lane.consumerBlock == lane.producerBlock + 128)
            #expect(Int(bitPattern: UnsafeMutableRawPointer(lane.slots)) % 128 == 0)
            if i > 0 { #expect(lane.producerBlock == ring.lanes[i - 1].producerBlock + 256) }
        }
    }

    @Test("arguments out of range are refused")
    func arguments_outOfRange_areRefused() {
        #expect(throws: RingError.invalidCount(what: "producer", requested: 0, maximum: 1024)) {
            try MPSCRing<UInt64>(producers: 0, capacityPerProducer: 4)
        }
        #expect(throws: RingError.invalidCapacity(requested: 0, maximum: (1 << 40) / 2)) {
            try MPSCRing<UInt64>(producers: 2, capacityPerProducer: 0)
        }
        #expect(
            RingError.invalidCount(what: "producer", requested: 0, maximum: 1024).description
                == "producer count 0 is not in 1...1024")
    }

    @Test("every per-producer capacity 1...10 at every wrap position, for each of 3 producers", arguments: 1...10)
    func everyWrapPosition(capacity: Int) throws {
        let ring = try MPSCRing<UInt64>(producers: 3, capacityPerProducer: capacity)
        let producers = (0..<3).map { ring.producer($0) }
        var next = [UInt64](repeating: 0, count: 3)
        var expected = [UInt64](repeating: 0, count: 3)
        for _ in 0..<(2 * _powerOfTwo(atLeast: capacity) + 1) {
            for p in 0..<3 {
                for _ in 0..<capacity {
                    #expect(producers[p].tryPush(UInt64(p) << 32 | next[p]) == .pushed)
                    next[p] += 1
                }
                #expect(producers[p].tryPush(0) == .full)
            }
            #expect(ring.count == 3 * capacity)
            for _ in 0..<(3 * capacity) {
                let value = try #require(ring.tryPop())
                let p = Int(value >> 32)
                #expect(value & 0xFFFF_FFFF == expected[p])
                expected[p] += 1
            }
            #expect(ring.tryPop() == nil)
            // Advance every lane's start by one.
            for p in 0..<3 {
                #expect(producers[p].tryPush(UInt64(p) << 32 | next[p]) == .pushed)
                next[p] += 1
            }
            for _ in 0..<3 {
                let value = try #require(ring.tryPop())
                expected[Int(value >> 32)] += 1
            }
        }
        #expect(next == expected)
    }

    @Test("tryPop serves the lanes round-robin; drain gives each lane a fair quantum")
    func fairness() throws {
        let ring = try MPSCRing<UInt64>(producers: 3, capacityPerProducer: 8)
        for p in 0..<3 { for i in 0..<8 { #expect(ring.producer(p).tryPush(UInt64(p * 100 + i)) == .pushed) } }
        #expect((0..<6).map { _ in ring.tryPop()! } == [0, 100, 200, 1, 101, 201])
        var seen: [UInt64] = []
        // Quantum = 6 / 3 = 2 per lane per visit.
        #expect(ring.drain(maxCount: 6) { seen.append($0) } == 6)
        #expect(seen == [2, 3, 102, 103, 202, 203])
        // A lane that is empty does not stop the others.
        seen = []
        #expect(ring.drain(maxCount: 100) { seen.append($0) } == 12)
        #expect(seen.filter { $0 < 100 } == [4, 5, 6, 7])
        #expect(ring.producer(1).tryPush(999) == .pushed)
        #expect(ring.tryPop() == 999)
        #expect(ring.drain(maxCount: 10) { _ in } == 0)
    }

    @Test("claim/commit through a producer handle")
    func claimCommit() throws {
        let ring = try MPSCRing<UInt64>(producers: 2, capacityPerProducer: 4)
        let producer = ring.producer(1)
        let slot = try #require(producer.claim())
        slot.pointee = 77
        #expect(ring.tryPop() == nil)
        producer.commit()
        #expect(ring.tryPop() == 77)
        let batch = producer.claim(upTo: 10)
        #expect(batch.count == 3)  // contiguous up to the end of the 4-slot lane
        for i in batch.indices { batch[i] = UInt64(i) }
        producer.commit(count: 2)
        #expect(ring.tryPop() == 0)
        #expect(ring.tryPop() == 1)
        #expect(ring.tryPop() == nil)
        #expect(producer.pushedCount == 3)
    }

    @Test("halt wakes a blocked consumer and a blocked producer")
    func halt() throws {
        let ring = try MPSCRing<UInt64>(producers: 2, capacityPerProducer: 1)
        #expect(ring.producer(0).tryPush(1) == .pushed)
        let pushed = Slot<PushResult>(.pushed)
        try runConcurrently([
            { pushed.value = ring.producer(0).push(2, waiting: .yielding()) },
            {
                sleepThreadForTests()
                ring.halt()
            },
        ])
        #expect(pushed.value == .halted)
        #expect(ring.tryPop() == 1)
        #expect(ring.pop() == nil)
        #expect(ring.waitForData() == .halted)
        ring.resume()
        #expect(ring.producer(1).tryPush(5) == .pushed)
        #expect(ring.waitForData() == .ready)
        #expect(ring.pop() == 5)
    }

    @Test("three producers, one consumer: per-producer order, nothing lost, nothing torn")
    func stress() throws {
        let producers = 3
        let perProducer = stressCount(200_000)
        let ring = try MPSCRing<Message64>(producers: producers, capacityPerProducer: 256)
        let result = Slot((count: 0, digest: UInt64(0), ordered: true, intact: true))
        var bodies: [@Sendable () -> Void] = [
            {
                var state = result.value
                var next = [UInt64](repeating: 0, count: producers)
                func take(_ m: Message64) {
                    state.intact = state.intact && m.isIntact
                    state.ordered = state.ordered && m.sequence == next[Int(m.producer)]
                    next[Int(m.producer)] = m.sequence + 1
                    state.digest &+= m.digest
                    state.count += 1
                }
                while state.count < producers * perProducer {
                    if state.count % 2 == 0, let m = ring.pop(waiting: .yielding()) {
                        take(m)
                    } else {
                        _ = ring.drain(maxCount: 64) { m in take(copy m) }
                    }
                }
                result.value = state
            }
        ]
        for p in 0..<producers {
            bodies.append {
                let producer = ring.producer(p)
                for s in 0..<UInt64(perProducer) {
                    _ = producer.push(Message64(producer: p, sequence: s), waiting: .yielding())
                }
            }
        }
        try runConcurrently(bodies)
        var digest: UInt64 = 0
        for p in 0..<producers {
            for s in 0..<UInt64(perProducer) { digest &+= Message64(producer: p, sequence: s).digest }
        }
        #expect(result.value.count == producers * perProducer)
        #expect(result.value.ordered)
        #expect(result.value.intact)
        #expect(result.value.digest == digest)
    }
}
