import TernSystem

/// A bounded many-producer single-consumer ring: many strategies into one risk/gateway thread, many
/// sessions into one recorder.
///
/// Built as one `SPSCRing`-style lane per producer, drained round-robin by the consumer
/// (docs/decisions/0004-mpsc-lanes.md records why this beat a CAS-claimed shared tail). So:
///
/// - **Lossless and bounded**: each producer has `capacityPerProducer` slots of its own; a producer
///   whose lane is full gets `.full` (or waits), and cannot starve the others of space.
/// - **Linearizable per producer**: messages from one producer arrive in the order it pushed them.
///   There is no order across producers (there is no common clock to order them by anyway); stamp
///   messages if the consumer needs one.
/// - **No read-modify-write anywhere**: a push is the same plain-store code as `SPSCRing.tryPush`.
/// - **Fair**: `tryPop` and `drain` resume at the lane after the one served last, so a busy producer
///   cannot starve a quiet one.
///
/// The producer count is fixed at creation. Each producer thread takes its own handle,
/// `producer(i)`, and is the only thread that uses it; one consumer thread calls `tryPop`, `pop`,
/// `drain` and `waitForData`.
///
/// ```
///  offset   0  halt block                       128 B
///  offset 128  consumer block (next lane)       128 B
///  offset 256  lane descriptors                 producers × 48 B, rounded up to 128
///  then        lane control blocks              producers × 256 B (as in SPSCRing)
///  then        slots, lane by lane              producers × slotCount × stride, each lane 128-aligned
/// ```
///
/// Full-ring policy: per lane, as `SPSCRing`: `.full` from `tryPush`, a wait in `push(_:waiting:)`.
public final class MPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    // Safe (@unchecked Sendable): immutable after `init`; shared words are atomics or single-writer.

    @usableFromInline let lanes: UnsafeMutablePointer<_SPSCLane<Element>>
    @usableFromInline let laneCount: Int
    /// Consumer-private: the lane `tryPop`/`drain` look at first.
    @usableFromInline let nextLane: UnsafeMutablePointer<Int>
    @usableFromInline let haltFlag: _HaltFlag
    let storage: AlignedMemory

    /// The largest producer count.
    public static var maximumProducers: Int { 1024 }

    /// Creates an empty ring for `producers` producers, each with `capacityPerProducer` slots.
    ///
    /// - Throws: `RingError.invalidCount` / `.invalidCapacity` for out-of-range arguments, `.memory`
    ///   if the storage cannot be mapped.
    public init(producers: Int, capacityPerProducer: Int, placement: RingPlacement = .default) throws(RingError) {
        guard producers >= 1, producers <= Self.maximumProducers else {
            throw .invalidCount(what: "producer", requested: producers, maximum: Self.maximumProducers)
        }
        guard capacityPerProducer >= 1, capacityPerProducer <= _maximumRingCapacity / producers else {
            throw .invalidCapacity(requested: capacityPerProducer, maximum: _maximumRingCapacity / producers)
        }
        let slotCount = _powerOfTwo(atLeast: capacityPerProducer)
        let laneSlotBytes = _roundUp(slotCount * MemoryLayout<Element>.stride, to: _blockSize)
        let descriptorOffset = 2 * _blockSize
        let controlOffset =
            descriptorOffset + _roundUp(producers * MemoryLayout<_SPSCLane<Element>>.stride, to: _blockSize)
        let slotsOffset = controlOffset + producers * _SPSCLane<Element>.controlByteCount
        storage = try _mapRingStorage(byteCount: slotsOffset + producers * laneSlotBytes, placement: placement)
        let base = storage.base
        haltFlag = _HaltFlag(initializingAt: base)
        // Safe: every pointer below lies inside the zeroed, 128-aligned mapping sized above.
        nextLane = (base + _blockSize).bindMemory(to: Int.self, capacity: 1)
        nextLane.initialize(to: 0)
        lanes = (base + descriptorOffset).bindMemory(to: _SPSCLane<Element>.self, capacity: producers)
        for i in 0..<producers {
            let slots = (base + slotsOffset + i * laneSlotBytes).bindMemory(to: Element.self, capacity: slotCount)
            (lanes + i).initialize(
                to: _SPSCLane(
                    control: base + controlOffset + i * _SPSCLane<Element>.controlByteCount, slots: slots,
                    slotCount: slotCount, capacity: capacityPerProducer))
        }
        laneCount = producers
    }

    /// The number of producers.
    @inlinable public var producerCount: Int { laneCount }

    /// The number of messages each producer's lane holds when full.
    @inlinable public var capacityPerProducer: Int { Int(truncatingIfNeeded: lanes[0].capacity) }

    /// The handle producer `index` pushes through. Give each producer thread its own index.
    ///
    /// - Precondition: `0 <= index < producerCount`.
    @inlinable
    public func producer(_ index: Int) -> Producer {
        precondition(index >= 0 && index < laneCount, "MPSCRing.producer: index \(index) is not in 0..<\(laneCount)")
        return Producer(ring: self, lane: lanes[index], index: index)
    }

    /// One producer's end of an `MPSCRing`. Used by one thread at a time.
    @frozen
    public struct Producer: @unchecked Sendable {
        /// Keeps the storage alive while the handle exists.
        @usableFromInline let ring: MPSCRing<Element>
        @usableFromInline let lane: _SPSCLane<Element>
        /// This producer's index.
        public let index: Int

        @inlinable
        init(ring: MPSCRing<Element>, lane: _SPSCLane<Element>, index: Int) {
            self.ring = ring
            self.lane = lane
            self.index = index
        }

        /// Appends `value` if this producer's lane has a free slot. Never blocks.
        @inlinable @inline(__always)
        public func tryPush(_ value: Element) -> PushResult { lane.tryPush(value) ? .pushed : .full }

        /// Appends `value`, waiting with `strategy` while this producer's lane is full.
        ///
        /// - Returns: `.pushed`, or `.halted` if the ring is halted (nothing written).
        @inlinable
        public func push<W: WaitStrategy>(_ value: Element, waiting strategy: W = BusySpinWait()) -> PushResult {
            ring.haltFlag.wait(strategy) { lane.tryPush(value) } ? .pushed : .halted
        }

        /// The next free slot of this producer's lane for encoding in place, or `nil` when full.
        @inlinable @inline(__always)
        public func claim() -> UnsafeMutablePointer<Element>? { lane.claim() }

        /// Up to `count` contiguous free slots of this producer's lane.
        @inlinable @inline(__always)
        public func claim(upTo count: Int) -> UnsafeMutableBufferPointer<Element> { lane.claim(upTo: count) }

        /// Publishes the slot handed out by `claim()`.
        @inlinable @inline(__always)
        public func commit() { lane.commit(1) }

        /// Publishes the first `count` slots handed out by `claim(upTo:)`.
        @inlinable @inline(__always)
        public func commit(count: Int) { lane.commit(UInt64(truncatingIfNeeded: Swift.max(count, 0))) }

        /// Messages this producer has published.
        @inlinable public var pushedCount: UInt64 { lane.pushedCount }
    }

    // MARK: Consumer

    /// Removes and returns the oldest message of the next non-empty lane in round-robin order, or
    /// `nil` if every lane is empty. Never blocks.
    @inlinable
    public func tryPop() -> Element? {
        var lane = nextLane.pointee
        for _ in 0..<laneCount {
            let current = lane
            lane = lane &+ 1 == laneCount ? 0 : lane &+ 1
            if let value = lanes[current].tryPop() {
                nextLane.pointee = lane
                return value
            }
        }
        return nil
    }

    /// Removes and returns a message, waiting with `strategy` while every lane is empty.
    ///
    /// - Returns: the message, or `nil` once the ring is halted.
    @inlinable
    public func pop<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> Element? {
        var value: Element? = nil
        _ = haltFlag.wait(strategy) {
            value = tryPop()
            return value != nil
        }
        return value
    }

    /// Calls `body` on up to `maxCount` messages, visiting the lanes round-robin and taking at most
    /// `maxCount / producerCount` (at least 1) from a lane per visit; each lane's head is published
    /// once per visit. Never blocks.
    ///
    /// - Returns: the number of messages processed.
    @inlinable
    public func drain(maxCount: Int, _ body: (borrowing Element) -> Void) -> Int {
        guard maxCount > 0 else { return 0 }
        let quantum = Swift.max(1, maxCount / laneCount)
        var done = 0
        var lane = nextLane.pointee
        var idleLanes = 0
        while done < maxCount && idleLanes < laneCount {
            let n = lanes[lane].drain(maxCount: Swift.min(quantum, maxCount - done), body)
            done += n
            idleLanes = n == 0 ? idleLanes + 1 : 0
            lane = lane &+ 1 == laneCount ? 0 : lane &+ 1
        }
        nextLane.pointee = lane
        return done
    }

    /// Waits with `strategy` until some lane has a message or the ring is halted.
    @inlinable
    public func waitForData<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> WaitResult {
        haltFlag.wait(strategy) { (0..<laneCount).contains { lanes[$0].hasData() } } ? .ready : .halted
    }

    // MARK: Any thread

    /// Stops every current and future wait on this ring until `resume()`; keeps every message.
    @inlinable public func halt() { haltFlag.raise() }

    /// Clears a `halt()`.
    @inlinable public func resume() { haltFlag.clear() }

    /// Whether the ring is halted.
    @inlinable public var isHalted: Bool { haltFlag.isRaised }

    /// Messages in all lanes at some instant during the call (for monitoring).
    @inlinable
    public var count: Int {
        var total = 0
        for i in 0..<laneCount { total += lanes[i].count }
        return total
    }
}
