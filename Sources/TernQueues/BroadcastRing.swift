public import Synchronization
import TernSystem

/// How a `BroadcastRing` treats a consumer that falls behind.
@frozen
public enum BroadcastMode: Sendable, Equatable {
    /// Lossless: the producer never overwrites a message some consumer has not read; it gets `.full`
    /// (or waits) instead, so the slowest consumer sets the pace (the Disruptor's multicast). For
    /// risk, the journal and recorders.
    case gated
    /// The producer never waits: it overwrites the oldest slot. A consumer more than `capacity`
    /// messages behind skips ahead to the oldest intact message and counts what it skipped in
    /// `lostCount` (Agrona's `BroadcastReceiver`). For monitors and UIs.
    case lapping
}

/// A bounded one-producer many-consumer ring: every consumer sees every message (gated) or every
/// message it keeps up with (lapping). One feed → many strategies, monitors, a recorder.
///
/// The consumer count is fixed at creation; consumer thread `i` uses the handle `consumer(i)` and is
/// the only thread that does. One producer thread calls `tryPush`/`push`.
///
/// ```
///  offset   0  producer block   +0 tail (Atomic<UInt64>)  +8 intent (Atomic<UInt64>)  +16 cached min head
///  offset 128  halt block
///  offset 256  consumer blocks  consumers × (128 + scratch): +0 head (Atomic<UInt64>), +8 cached tail,
///                               +16 lost (Atomic<UInt64>); +128 scratch copy of one slot (lapping)
///  then        slots            slotCount × slotStride (stride of Element rounded up to 8 bytes)
/// ```
///
/// Lapping mode is a sequence lock per message: the producer announces the position it is about to
/// overwrite in `intent`, fences, writes the slot word by word with relaxed atomic stores and
/// publishes `tail`; a consumer copies the slot word by word with relaxed atomic loads, fences, and
/// re-reads `intent`; if the producer started overwriting that slot, the copy is discarded and
/// counted as lost. No torn message is ever returned, and the copy is race-free in the memory model
/// (ThreadSanitizer agrees).
///
/// Full-ring policy: gated: `tryPush` returns `.full`, `push(_:waiting:)` waits for the slowest
/// consumer or a halt; lapping: `tryPush` always returns `.pushed` and overwrites.
public final class BroadcastRing<Element: BitwiseCopyable>: @unchecked Sendable {
    // Safe (@unchecked Sendable): immutable after `init`; shared words are atomics or single-writer.

    @usableFromInline let producerBlock: UnsafeMutableRawPointer
    @usableFromInline let consumerBlocks: UnsafeMutableRawPointer
    @usableFromInline let consumerBlockSize: Int
    @usableFromInline let consumers: Int
    @usableFromInline let slots: UnsafeMutableRawPointer
    @usableFromInline let slotStride: Int
    @usableFromInline let mask: UInt64
    @usableFromInline let ringCapacity: UInt64
    /// The ring's mode.
    public let mode: BroadcastMode
    @usableFromInline let haltFlag: _HaltFlag
    let storage: AlignedMemory

    /// The largest consumer count.
    public static var maximumConsumers: Int { 1024 }

    /// Creates an empty ring for `consumers` consumers.
    ///
    /// - Parameters:
    ///   - capacity: gated: the exact number of unread messages the slowest consumer may have;
    ///     lapping: rounded up to a power of two, how far a consumer may fall behind before it loses
    ///     messages.
    /// - Throws: `RingError` for out-of-range arguments or unmappable storage.
    public init(
        capacity: Int, consumers: Int, mode: BroadcastMode, placement: RingPlacement = .default
    )
        throws(RingError)
    {
        guard consumers >= 1, consumers <= Self.maximumConsumers else {
            throw .invalidCount(what: "consumer", requested: consumers, maximum: Self.maximumConsumers)
        }
        guard capacity >= 1, capacity <= _maximumRingCapacity else {
            throw .invalidCapacity(requested: capacity, maximum: _maximumRingCapacity)
        }
        let slotCount = _powerOfTwo(atLeast: capacity)
        slotStride = _roundUp(MemoryLayout<Element>.stride, to: 8)
        consumerBlockSize = _blockSize + _roundUp(slotStride, to: _blockSize)
        let slotsOffset = 2 * _blockSize + consumers * consumerBlockSize
        storage = try _mapRingStorage(byteCount: slotsOffset + slotCount * slotStride, placement: placement)
        let base = storage.base
        producerBlock = base
        haltFlag = _HaltFlag(initializingAt: base + _blockSize)
        consumerBlocks = base + 2 * _blockSize
        slots = base + slotsOffset
        self.consumers = consumers
        mask = UInt64(slotCount - 1)
        ringCapacity = UInt64(mode == .gated ? capacity : slotCount)
        self.mode = mode
        // Safe: all offsets lie inside the zeroed, 128-aligned mapping sized above.
        let producerWords = producerBlock.bindMemory(to: Atomic<UInt64>.self, capacity: 2)
        producerWords.initialize(to: Atomic(0))
        (producerWords + 1).initialize(to: Atomic(0))
        (producerBlock + 16).bindMemory(to: UInt64.self, capacity: 1).initialize(to: 0)
        for i in 0..<consumers {
            let block = consumerBlocks + i * consumerBlockSize
            block.bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
            (block + 8).bindMemory(to: UInt64.self, capacity: 1).initialize(to: 0)
            (block + 16).bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        }
        if mode == .lapping {
            let words = slots.bindMemory(to: Atomic<UInt64>.self, capacity: slotCount * slotStride / 8)
            for w in 0..<(slotCount * slotStride / 8) { (words + w).initialize(to: Atomic(0)) }
        } else {
            slots.bindMemory(to: Element.self, capacity: slotCount)
        }
    }

    /// Gated: the number of unread messages the slowest consumer may have. Lapping: how far a
    /// consumer may fall behind before it loses messages.
    @inlinable public var capacity: Int { Int(truncatingIfNeeded: ringCapacity) }

    /// The number of consumers.
    @inlinable public var consumerCount: Int { consumers }

    // Safe (all three): bound in `init` at these offsets.
    @inlinable var tail: UnsafeMutablePointer<Atomic<UInt64>> {
        producerBlock.assumingMemoryBound(to: Atomic<UInt64>.self)
    }
    @inlinable var intent: UnsafeMutablePointer<Atomic<UInt64>> {
        (producerBlock + 8).assumingMemoryBound(to: Atomic<UInt64>.self)
    }
    @inlinable var cachedMinimumHead: UnsafeMutablePointer<UInt64> {
        (producerBlock + 16).assumingMemoryBound(to: UInt64.self)
    }

    @inlinable
    func slot(_ position: UInt64) -> UnsafeMutableRawPointer {
        slots + Int(truncatingIfNeeded: position & mask) &* slotStride
    }

    @inlinable
    func head(ofConsumer index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (consumerBlocks + index &* consumerBlockSize).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    // MARK: Producer

    /// Publishes `value` to every consumer. Never blocks.
    ///
    /// - Returns: gated: `.pushed`, or `.full` if the slowest consumer has `capacity` unread messages
    ///   (nothing written); lapping: always `.pushed`.
    @inlinable
    public func tryPush(_ value: Element) -> PushResult {
        // Relaxed: only this thread stores `tail`.
        let position = tail.pointee.load(ordering: .relaxed)
        if mode == .gated {
            if position &- cachedMinimumHead.pointee == ringCapacity {
                let minimum = slowestHead(below: position)
                cachedMinimumHead.pointee = minimum
                if position &- minimum == ringCapacity { return .full }
            }
            // Safe: every consumer is past the message this slot held.
            slot(position).assumingMemoryBound(to: Element.self).initialize(to: value)
        } else {
            // Relaxed store of `intent`, then a releasing fence: a consumer that sees any word written
            // below also sees this intent after its acquiring fence (the sequence-lock pairing with
            // `Consumer.copyValidated`).
            intent.pointee.store(position &+ 1, ordering: .relaxed)
            atomicMemoryFence(ordering: .releasing)
            _storeWords(value, to: slot(position))
        }
        // Releasing store of `tail`; pairs with the acquiring load of `tail` in the consumers.
        tail.pointee.store(position &+ 1, ordering: .releasing)
        return .pushed
    }

    /// Publishes `value`, waiting with `strategy` while the slowest consumer (gated) is `capacity`
    /// behind. Lapping rings never wait.
    ///
    /// - Returns: `.pushed`, or `.halted` if the ring is halted (nothing written).
    @inlinable
    public func push<W: WaitStrategy>(_ value: Element, waiting strategy: W = BusySpinWait()) -> PushResult {
        haltFlag.wait(strategy) { tryPush(value) == .pushed } ? .pushed : .halted
    }

    /// The smallest consumer head (acquiring loads; each pairs with that consumer's releasing store
    /// of its head, so its reads of a slot happen before the slot is overwritten).
    @inlinable
    func slowestHead(below position: UInt64) -> UInt64 {
        var minimum = position
        for i in 0..<consumers {
            let head = head(ofConsumer: i).pointee.load(ordering: .acquiring)
            if head < minimum { minimum = head }
        }
        return minimum
    }

    @inlinable @inline(__always)
    func _storeWords(_ value: Element, to slot: UnsafeMutableRawPointer) {
        let words = slot.assumingMemoryBound(to: Atomic<UInt64>.self)
        withUnsafeBytes(of: value) { bytes in
            let fullWords = bytes.count / 8
            for w in 0..<fullWords {
                words[w].store(bytes.loadUnaligned(fromByteOffset: w &* 8, as: UInt64.self), ordering: .relaxed)
            }
            let rest = bytes.count - fullWords * 8
            if rest > 0 {
                var last: UInt64 = 0
                withUnsafeMutableBytes(of: &last) { lastBytes in
                    for b in 0..<rest { lastBytes[b] = bytes[fullWords * 8 + b] }
                }
                words[fullWords].store(last, ordering: .relaxed)
            }
        }
    }

    // MARK: Consumers

    /// The handle consumer `index` reads through. Give each consumer thread its own index.
    ///
    /// - Precondition: `0 <= index < consumerCount`.
    @inlinable
    public func consumer(_ index: Int) -> Consumer {
        precondition(
            index >= 0 && index < consumers, "BroadcastRing.consumer: index \(index) is not in 0..<\(consumers)")
        return Consumer(ring: self, block: consumerBlocks + index * consumerBlockSize, index: index)
    }

    /// One consumer's end of a `BroadcastRing`. Used by one thread at a time.
    @frozen
    public struct Consumer: @unchecked Sendable {
        /// Keeps the storage alive while the handle exists.
        @usableFromInline let ring: BroadcastRing<Element>
        @usableFromInline let block: UnsafeMutableRawPointer
        /// This consumer's index.
        public let index: Int

        @inlinable
        init(ring: BroadcastRing<Element>, block: UnsafeMutableRawPointer, index: Int) {
            self.ring = ring
            self.block = block
            self.index = index
        }

        // Safe (all four): bound in `BroadcastRing.init` at these offsets.
        @inlinable var head: UnsafeMutablePointer<Atomic<UInt64>> { block.assumingMemoryBound(to: Atomic<UInt64>.self) }
        @inlinable var cachedTail: UnsafeMutablePointer<UInt64> { (block + 8).assumingMemoryBound(to: UInt64.self) }
        @inlinable var lost: UnsafeMutablePointer<Atomic<UInt64>> {
            (block + 16).assumingMemoryBound(to: Atomic<UInt64>.self)
        }
        @inlinable var scratch: UnsafeMutableRawPointer { block + _blockSize }

        /// The producer's position, refreshed (acquiring load; pairs with the releasing store of
        /// `tail` in `tryPush`) only when the cache shows fewer than `wanted` messages.
        @inlinable @inline(__always)
        func readableEnd(from position: UInt64, wanted: UInt64 = 1) -> UInt64 {
            let cached = cachedTail.pointee
            if cached &- position >= wanted { return cached }
            let tail = ring.tail.pointee.load(ordering: .acquiring)
            cachedTail.pointee = tail
            return tail
        }

        /// Returns the next message, or `nil` if there is none. Never blocks. In lapping mode, skips
        /// (and counts in `lostCount`) messages that were overwritten before they could be read.
        @inlinable
        public func tryPop() -> Element? {
            // Relaxed: only this thread stores this consumer's head.
            let position = head.pointee.load(ordering: .relaxed)
            let end = readableEnd(from: position)
            if end == position { return nil }
            if ring.mode == .gated {
                // Safe: the producer cannot overwrite this slot until our head passes it.
                let value = ring.slot(position).assumingMemoryBound(to: Element.self).pointee
                // Releasing store of our head; pairs with the acquiring load in `slowestHead`.
                head.pointee.store(position &+ 1, ordering: .releasing)
                return value
            }
            var next = position
            let value = copyValidated(&next, end: end)
            head.pointee.store(next, ordering: .releasing)
            return value
        }

        /// Lapping: copies message `position` (advancing past lost ones), or returns `nil` when the
        /// producer has lapped past everything published.
        @inlinable
        func copyValidated(_ position: inout UInt64, end: UInt64) -> Element? {
            var end = end
            let capacity = ring.ringCapacity
            while position != end {
                if end &- position > capacity {
                    skip(to: end &- capacity, from: &position)
                    continue
                }
                let words = ring.slot(position).assumingMemoryBound(to: Atomic<UInt64>.self)
                for w in 0..<(ring.slotStride >> 3) {
                    scratch.storeBytes(of: words[w].load(ordering: .relaxed), toByteOffset: w &* 8, as: UInt64.self)
                }
                // Acquiring fence, then re-read `intent`: pairs with the releasing fence in `tryPush`.
                atomicMemoryFence(ordering: .acquiring)
                let intent = ring.intent.pointee.load(ordering: .relaxed)
                if intent &- position > capacity {
                    // The producer began overwriting this slot while (or before) we copied it.
                    skip(to: intent &- capacity, from: &position)
                    end = ring.tail.pointee.load(ordering: .acquiring)
                    cachedTail.pointee = end
                    continue
                }
                position &+= 1
                // Safe: scratch holds a full, validated copy of a value of type Element.
                return scratch.load(as: Element.self)
            }
            return nil
        }

        @inlinable
        func skip(to newPosition: UInt64, from position: inout UInt64) {
            // Relaxed load/store: only this thread writes `lost`; monitors read it relaxed.
            lost.pointee.store(lost.pointee.load(ordering: .relaxed) &+ (newPosition &- position), ordering: .relaxed)
            position = newPosition
        }

        /// Returns the next message, waiting with `strategy` while there is none.
        ///
        /// - Returns: the message, or `nil` once the ring is halted.
        @inlinable
        public func pop<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> Element? {
            var value: Element? = nil
            _ = ring.haltFlag.wait(strategy) {
                value = tryPop()
                return value != nil
            }
            return value
        }

        /// Calls `body` on up to `maxCount` messages in order, publishing this consumer's head once.
        /// Never blocks.
        ///
        /// - Returns: the number of messages processed (lapping: not counting lost ones).
        @inlinable
        public func drain(maxCount: Int, _ body: (borrowing Element) -> Void) -> Int {
            let start = head.pointee.load(ordering: .relaxed)
            var position = start
            let wanted = UInt64(truncatingIfNeeded: Swift.max(maxCount, 0))
            let end = readableEnd(from: position, wanted: wanted)
            var done = 0
            if ring.mode == .gated {
                let n = Swift.min(end &- position, wanted)
                while position != start &+ n {
                    // Safe: as in `tryPop`.
                    body(ring.slot(position).assumingMemoryBound(to: Element.self).pointee)
                    position &+= 1
                }
                done = Int(truncatingIfNeeded: n)
            } else {
                while done < maxCount, let value = copyValidated(&position, end: end) {
                    body(value)
                    done += 1
                }
            }
            if position != start {
                // Releasing store of our head; pairs with the acquiring load in `slowestHead`.
                head.pointee.store(position, ordering: .releasing)
            }
            return done
        }

        /// Waits with `strategy` until a message is ready or the ring is halted.
        @inlinable
        public func waitForData<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> WaitResult {
            ring.haltFlag.wait(strategy) {
                let position = head.pointee.load(ordering: .relaxed)
                return readableEnd(from: position) != position
            } ? .ready : .halted
        }

        /// Messages this consumer skipped because the producer lapped it (always 0 when gated).
        /// Readable from any thread.
        @inlinable public var lostCount: UInt64 { lost.pointee.load(ordering: .relaxed) }

        /// This consumer's position: messages read plus messages lost. Readable from any thread.
        @inlinable public var position: UInt64 { head.pointee.load(ordering: .acquiring) }
    }

    // MARK: Any thread

    /// Stops every current and future wait on this ring until `resume()`; keeps every message.
    @inlinable public func halt() { haltFlag.raise() }

    /// Clears a `halt()`.
    @inlinable public func resume() { haltFlag.clear() }

    /// Whether the ring is halted.
    @inlinable public var isHalted: Bool { haltFlag.isRaised }

    /// Messages published since creation.
    @inlinable public var pushedCount: UInt64 { tail.pointee.load(ordering: .acquiring) }
}
