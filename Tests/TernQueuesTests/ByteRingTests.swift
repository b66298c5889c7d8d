import Synchronization
import TernSystem
import Testing

@testable import TernQueues

/// Pre-faulted memory for a byte ring with `capacity` data bytes (plus `extra` bytes beyond).
func byteRingMemory(capacity: Int, extra: Int = 0) throws -> AlignedMemory {
    try AlignedMemory(byteCount: ByteRing.byteCount(capacity: capacity) + extra)
}

@Suite("ByteRing")
struct ByteRingTests {
    @Test("the documented layout: header fields, control words 128 bytes apart, data at 512")
    func layout() throws {
        let memory = try byteRingMemory(capacity: 1024)
        let ring = try ByteRing(formatting: memory.buffer, maxMessageLength: 64)
        let base = memory.base
        #expect(base.load(fromByteOffset: 0, as: UInt32.self) == UInt32(littleEndian: 0x424E_5254))
        #expect(Array(UnsafeRawBufferPointer(start: base, count: 4)) == Array("TRNB".utf8))
        #expect(base.load(fromByteOffset: 4, as: UInt16.self) == 1)
        #expect(base.load(fromByteOffset: 6, as: UInt16.self) == 512)
        #expect(base.load(fromByteOffset: 8, as: UInt64.self) == 1024)
        #expect(base.load(fromByteOffset: 16, as: UInt32.self) == 64)
        #expect(UnsafeMutableRawPointer(ring.tail) == base + 128)
        #expect(UnsafeMutableRawPointer(ring.cachedHead) == base + 136)
        #expect(UnsafeMutableRawPointer(ring.head) == base + 256)
        #expect(UnsafeMutableRawPointer(ring.cachedTail) == base + 264)
        #expect(UnsafeMutableRawPointer(ring.haltFlag.word) == base + 384)
        #expect(ring.data == base + 512)
        #expect(ByteRing.Layout.dataOffset == 512 && ByteRing.byteCount(capacity: 1024) == 1536)
        // One record: header then body, 8-byte aligned; tail moves by the aligned length.
        guard case .claimed(let claim) = ring.tryClaim(type: 7, length: 5) else {
            Issue.record("claim failed")
            return
        }
        #expect(claim.body.baseAddress == base + 512 + 8)
        claim.body.copyBytes(from: [1, 2, 3, 4, 5])
        ring.commit(claim)
        #expect(base.load(fromByteOffset: 512, as: Int32.self) == 13)
        #expect(base.load(fromByteOffset: 516, as: Int32.self) == 7)
        #expect(base.load(fromByteOffset: 128, as: UInt64.self) == 16)
    }

    @Test("formatting picks the largest power-of-two data area and checks the limits")
    func formatting() throws {
        let memory = try byteRingMemory(capacity: 1000)
        let ring = try ByteRing(formatting: memory.buffer)
        #expect(ring.capacity == 512)
        #expect(ring.maxMessageLength == 56)
        #expect(ByteRing.maximumMessageLength(capacity: 512) == 56)
        #expect(throws: ByteRingError.invalidMaxMessageLength(requested: 57, maximum: 56)) {
            try ByteRing(formatting: memory.buffer, maxMessageLength: 57)
        }
        #expect(throws: ByteRingError.memoryTooSmall(byteCount: 575, required: 576)) {
            try ByteRing(formatting: UnsafeMutableRawBufferPointer(rebasing: memory.buffer[0..<575]))
        }
        #expect(throws: ByteRingError.misaligned(address: UInt(bitPattern: memory.base + 4))) {
            try ByteRing(formatting: UnsafeMutableRawBufferPointer(rebasing: memory.buffer[4..<1000]))
        }
    }

    @Test(
        "every wrap position, record sizes 0...maximum: records arrive intact, padding is skipped",
        arguments: [64, 128, 256])
    func everyWrapPosition(capacity: Int) throws {
        let memory = try byteRingMemory(capacity: capacity)
        let ring = try ByteRing(formatting: memory.buffer)
        let maximum = ring.maxMessageLength
        var written = 0
        var read = 0
        // Shift the start through every 8-byte position of the data area, twice.
        for shift in 0..<(2 * capacity / 8) {
            for length in 0...maximum {
                let body = (0..<length).map { UInt8(truncatingIfNeeded: written &* 31 &+ $0) }
                let result = body.withUnsafeBytes { ring.tryWrite(type: Int32(1 + written % 1000), $0) }
                guard case .claimed = result else {
                    Issue.record("a \(length)-byte record did not fit an empty ring at shift \(shift)")
                    return
                }
                written += 1
                let n = try ring.read(limit: 10) { type, bytes in
                    #expect(type == Int32(1 + read % 1000))
                    #expect(Array(bytes) == (0..<bytes.count).map { UInt8(truncatingIfNeeded: read &* 31 &+ $0) })
                    #expect(bytes.count == length)
                    read += 1
                }
                #expect(n == 1)
                #expect(ring.count == 0)
            }
            // Advance the start by one 8-byte unit with an empty record.
            guard case .claimed(let claim) = ring.tryClaim(type: 1, length: 0) else { return }
            ring.commit(claim)
            _ = try ring.read(limit: 1) { _, _ in }
        }
        #expect(read == written)
    }

    @Test("fills until full, then drains everything in order", arguments: [64, 256])
    func fillAndDrain(capacity: Int) throws {
        let memory = try byteRingMemory(capacity: capacity)
        let ring = try ByteRing(formatting: memory.buffer)
        var rng = SplitMix64(seed: 9)
        var pending: [Int] = []
        var next = 0
        for _ in 0..<500 {
            while true {
                let length = Int(rng.next() % UInt64(ring.maxMessageLength + 1))
                let result = withUnsafeBytes(of: next) {
                    ring.tryWrite(type: 5, UnsafeRawBufferPointer(rebasing: $0[0..<min(8, length)]))
                }
                if case .full = result { break }
                guard case .claimed = result else {
                    Issue.record("unexpected \(result)")
                    return
                }
                pending.append(min(8, length))
                next += 1
            }
            #expect(ring.count > capacity - 2 * (ring.maxMessageLength + 8))
            let batch = Int(rng.next() % 5) + 1
            let taken = try ring.read(limit: batch) { _, bytes in
                #expect(bytes.count == pending.removeFirst())
            }
            #expect(taken == min(batch, taken + pending.count))
        }
    }

    @Test("claim, abort, claim again: the aborted record is never seen")
    func abort() throws {
        let memory = try byteRingMemory(capacity: 64)
        let ring = try ByteRing(formatting: memory.buffer)
        for round in 0..<20 {
            guard case .claimed(let dropped) = ring.tryClaim(type: 99, length: 3) else { return }
            dropped.body.copyBytes(from: [9, 9, 9])
            ring.abort(dropped)
            #expect(try ring.read(limit: 10) { _, _ in Issue.record("aborted record delivered") } == 0)
            guard case .claimed(let kept) = ring.tryClaim(type: 1, length: 1) else { return }
            kept.body[0] = UInt8(round)
            ring.commit(kept)
            var delivered: [(Int32, UInt8)] = []
            #expect(try ring.read(limit: 10) { type, body in delivered.append((type, body[0])) } == 1)
            #expect(delivered.count == 1 && delivered[0] == (1, UInt8(round)))
        }
    }

    @Test("bad type and bad length are refused without writing")
    func refusals() throws {
        let memory = try byteRingMemory(capacity: 128)
        let ring = try ByteRing(formatting: memory.buffer)
        for type: Int32 in [0, -1, .min] {
            guard case .invalidType = ring.tryClaim(type: type, length: 1) else {
                Issue.record("type \(type) accepted")
                continue
            }
        }
        for length in [-1, ring.maxMessageLength + 1, .max] {
            guard case .tooLong = ring.tryClaim(type: 1, length: length) else {
                Issue.record("length \(length) accepted")
                continue
            }
        }
        #expect(ring.count == 0)
        #expect(try ring.read(limit: 10) { _, _ in } == 0)
    }

    @Test("attach validates the header and positions and names the bad field")
    func attach() throws {
        let memory = try byteRingMemory(capacity: 256)
        let producer = try ByteRing(formatting: memory.buffer)
        _ = [UInt8](repeating: 3, count: 10).withUnsafeBytes { producer.tryWrite(type: 4, $0) }
        let consumer = try ByteRing(attaching: memory.buffer)
        #expect(consumer.capacity == 256 && consumer.maxMessageLength == producer.maxMessageLength)
        var delivered: [(Int32, Int)] = []
        #expect(try consumer.read(limit: 1) { type, body in delivered.append((type, body.count)) } == 1)
        #expect(delivered.count == 1 && delivered[0] == (4, 10))

        func corrupted(at offset: Int, _ value: UInt64, size: Int) throws -> ByteRingError? {
            let copy = try byteRingMemory(capacity: 256)
            copy.buffer.copyMemory(from: UnsafeRawBufferPointer(memory.buffer))
            switch size {
            case 2: copy.base.storeBytes(of: UInt16(value), toByteOffset: offset, as: UInt16.self)
            case 4: copy.base.storeBytes(of: UInt32(value), toByteOffset: offset, as: UInt32.self)
            default: copy.base.storeBytes(of: value, toByteOffset: offset, as: UInt64.self)
            }
            do {
                _ = try ByteRing(attaching: copy.buffer)
                return nil
            } catch {
                return error
            }
        }
        #expect(try corrupted(at: 0, 0x1234, size: 4) == .badHeader(offset: 0, field: .magic, value: 0x1234))
        #expect(try corrupted(at: 4, 2, size: 2) == .badHeader(offset: 4, field: .version, value: 2))
        #expect(try corrupted(at: 6, 256, size: 2) == .badHeader(offset: 6, field: .headerSize, value: 256))
        #expect(try corrupted(at: 8, 100, size: 8) == .badHeader(offset: 8, field: .capacity, value: 100))
        #expect(try corrupted(at: 8, 512, size: 8) == .badHeader(offset: 8, field: .capacity, value: 512))
        #expect(try corrupted(at: 16, 100, size: 4) == .badHeader(offset: 16, field: .maxMessageLength, value: 100))
        #expect(try corrupted(at: 256, 3, size: 8) == .badHeader(offset: 256, field: .head, value: 3))
        #expect(try corrupted(at: 128, 8, size: 8) == .badHeader(offset: 128, field: .tail, value: 8))
        #expect(try corrupted(at: 128, 1000, size: 8) == .badHeader(offset: 128, field: .tail, value: 1000))
        #expect(
            ByteRingError.badHeader(offset: 0, field: .magic, value: 1).description
                == "byte ring header: magic at offset 0 has an impossible value 1")
    }

    @Test("a corrupt record stops the read with its position; the records before it are delivered")
    func corruptRecord() throws {
        let memory = try byteRingMemory(capacity: 256)
        let ring = try ByteRing(formatting: memory.buffer)
        for i in 0..<3 { _ = [UInt8(i)].withUnsafeBytes { ring.tryWrite(type: 1, $0) } }
        // Break the second record's length (records are 16 bytes: 8 header + 1 body, aligned).
        memory.base.storeBytes(of: Int32(4), toByteOffset: 512 + 16, as: Int32.self)
        var seen: [UInt8] = []
        #expect(throws: ByteRingError.corruptRecord(position: 16, length: 4, type: 1)) {
            _ = try ring.read(limit: 10) { _, body in seen.append(body[0]) }
        }
        #expect(seen == [0])
        #expect(ring.head.pointee.load(ordering: .relaxed) == 16, "the good record is freed, the bad one kept")
    }

    @Test("random garbage in the data area never traps the reader")
    func garbageNeverTraps() throws {
        let memory = try byteRingMemory(capacity: 256)
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let ring = try ByteRing(formatting: memory.buffer)
            // Publish a random amount of random bytes.
            let published = Int(rng.next() % 33) * 8
            for i in 0..<256 {
                memory.base.storeBytes(of: UInt8(truncatingIfNeeded: rng.next()), toByteOffset: 512 + i, as: UInt8.self)
            }
            if rng.next() % 2 == 0 {
                memory.base.storeBytes(of: Int32(rng.next() % 64), toByteOffset: 512, as: Int32.self)
            }
            ring.tail.pointee.store(UInt64(published), ordering: .releasing)
            var total = 0
            do {
                _ = try ring.read(limit: 100) { _, body in total += body.count }
            } catch {
                if case .corruptRecord(let position, _, _) = error { #expect(position < UInt64(published)) }
            }
            #expect(total <= published)
        }
    }

    @Test("random header and position bytes never trap attach, and an attached ring stays readable")
    func attachGarbageNeverTraps() throws {
        let memory = try byteRingMemory(capacity: 256)
        var rng = SplitMix64(seed: 7)
        var attached = 0
        for _ in 0..<5_000 {
            _ = try ByteRing(formatting: memory.buffer)
            // Flip a few random bytes among the header and control words.
            for _ in 0..<Int(rng.next() % 3 + 1) {
                let offset = [0, 4, 6, 8, 16, 128, 256][Int(rng.next() % 7)] + Int(rng.next() % 8)
                memory.base.storeBytes(of: UInt8(truncatingIfNeeded: rng.next()), toByteOffset: offset, as: UInt8.self)
            }
            guard let ring = try? ByteRing(attaching: memory.buffer) else { continue }
            attached += 1
            #expect(ring.capacity >= 64 && ring.capacity <= 256)
            _ = try? ring.read(limit: 100) { _, body in #expect(body.count <= ring.maxMessageLength) }
        }
        #expect(attached > 0, "some mutations leave a valid ring")
    }

    @Test("halt wakes a consumer waiting on an empty byte ring")
    func halt() throws {
        let memory = try byteRingMemory(capacity: 128)
        let ring = try ByteRing(formatting: memory.buffer)
        let result = Slot<WaitResult>(.ready)
        try runConcurrently([
            { result.value = ring.waitForData(waiting: .spinPause) },
            {
                sleepThreadForTests()
                ring.halt()
            },
        ])
        #expect(result.value == .halted)
        ring.resume()
        _ = [UInt8(1)].withUnsafeBytes { ring.tryWrite(type: 1, $0) }
        #expect(ring.waitForData() == .ready)
    }

    @Test("two threads: variable-length records arrive in order with their bytes intact")
    func stress() throws {
        let count = stressCount(300_000)
        let memory = try byteRingMemory(capacity: 4096)
        let ring = try ByteRing(formatting: memory.buffer)
        let maximum = ring.maxMessageLength
        let result = Slot((count: 0, ok: true))
        try runConcurrently([
            {
                var i = 0
                while i < count {
                    let length = (i &* 7919) % (maximum + 1)
                    switch ring.tryClaim(type: Int32(1 + i % 30_000), length: length) {
                    case .claimed(let claim):
                        for b in 0..<length { claim.body[b] = UInt8(truncatingIfNeeded: i &+ b) }
                        ring.commit(claim)
                        i += 1
                    case .full: continue
                    case .tooLong, .invalidType: return
                    }
                }
            },
            {
                var state = result.value
                while state.count < count {
                    do {
                        let n = try ring.read(limit: 16) { type, body in
                            let i = state.count
                            var ok = type == Int32(1 + i % 30_000) && body.count == (i &* 7919) % (maximum + 1)
                            for b in 0..<body.count where body[b] != UInt8(truncatingIfNeeded: i &+ b) { ok = false }
                            state.ok = state.ok && ok
                            state.count += 1
                        }
                        if n == 0 { _ = ring.waitForData(waiting: .yielding()) }
                    } catch {
                        state.ok = false
                        break
                    }
                }
                result.value = state
            },
        ])
        #expect(result.value.count == count)
        #expect(result.value.ok)
    }
}
