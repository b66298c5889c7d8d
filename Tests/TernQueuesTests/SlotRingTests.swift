import TernSystem
import Testing

@testable import TernQueues

@Suite("SlotRing")
struct SlotRingTests {
    struct Tick: BitwiseCopyable, Equatable {
        var sequence: UInt64
        var price: Int64
    }

    @Test("the documented layout: header fields, control words 128 bytes apart, slots at 512")
    func layout() throws {
        let bytes = try #require(SlotRing.byteCount(slotSize: 16, capacity: 5))
        #expect(bytes == 512 + 8 * (8 + 16))  // 5 slots round up to 8
        let memory = try AlignedMemory(byteCount: bytes)
        let ring = try SlotRing(formatting: memory.buffer, slotSize: 16, capacity: 5)
        let base = memory.base
        #expect(Array(UnsafeRawBufferPointer(start: base, count: 4)) == Array("TRNS".utf8))
        #expect(base.load(fromByteOffset: 4, as: UInt16.self) == 1)
        #expect(base.load(fromByteOffset: 6, as: UInt16.self) == 512)
        #expect(base.load(fromByteOffset: 8, as: UInt32.self) == 16)
        #expect(base.load(fromByteOffset: 16, as: UInt64.self) == 5)
        #expect(base.load(fromByteOffset: 24, as: UInt64.self) == 8)
        #expect(UnsafeMutableRawPointer(ring.tail) == base + 128 && UnsafeMutableRawPointer(ring.head) == base + 256)
        #expect(ring.tryPush(Tick(sequence: 1, price: -5)))
        #expect(base.load(fromByteOffset: 512, as: UInt32.self) == 16)
        #expect(base.load(fromByteOffset: 520, as: UInt64.self) == 1)
        #expect(base.load(fromByteOffset: 128, as: UInt64.self) == 1)
    }

    @Test("exact capacity; FIFO through a second view attached to the same memory")
    func roundTrip() throws {
        let memory = try AlignedMemory(byteCount: try #require(SlotRing.byteCount(slotSize: 16, capacity: 5)))
        let producer = try SlotRing(formatting: memory.buffer, slotSize: 16, capacity: 5)
        let consumer = try SlotRing(attaching: memory.buffer)
        for round in 0..<3 {
            var pushed: UInt64 = 0
            while producer.tryPush(Tick(sequence: pushed, price: Int64(round))) { pushed += 1 }
            #expect(pushed == 5 && consumer.count == 5)
            for n in 0..<pushed { #expect(consumer.tryPop(as: Tick.self) == Tick(sequence: n, price: Int64(round))) }
            #expect(consumer.tryPop(as: Tick.self) == nil)
        }
        let long = [UInt8](repeating: 1, count: 17)
        #expect(!long.withUnsafeBytes { producer.tryWrite($0) })  // longer than a slot
    }

    @Test("bad sizes and foreign memory are refused with the field at fault")
    func refusals() throws {
        #expect(SlotRing.byteCount(slotSize: 12, capacity: 4) == nil)
        #expect(SlotRing.byteCount(slotSize: 8, capacity: 0) == nil)
        let memory = try AlignedMemory(byteCount: 4096)
        #expect(throws: SlotRingError.badHeader(field: "magic", offset: 0, value: 0)) { try SlotRing(attaching: memory.buffer) }
        #expect(throws: SlotRingError.self) { try SlotRing(formatting: memory.buffer, slotSize: 1024, capacity: 8) }
        _ = try SlotRing(formatting: memory.buffer, slotSize: 8, capacity: 4)
        memory.base.storeBytes(of: UInt64(3), toByteOffset: 24, as: UInt64.self)  // slot count no longer matches
        #expect(throws: SlotRingError.badHeader(field: "slot count", offset: 24, value: 3)) { try SlotRing(attaching: memory.buffer) }
    }
}
