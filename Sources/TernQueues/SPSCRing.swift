import TernSystem

/// A bounded single-producer single-consumer ring of fixed-size values: the link between two pinned
/// threads (feed → engine, engine → gateway).
///
/// One thread calls the producer methods (`tryPush`, `push`, `claim`, `commit`), one other thread
/// calls the consumer methods (`tryPop`, `pop`, `drain`, `waitForData`); `halt`, `resume`, `isHalted`,
/// `count` and `capacity` are safe from any thread. Which thread is the producer may change only with
/// a happens-before hand-over between the two (a thread join, a lock); the same for the consumer.
///
/// Storage is one 128-byte-aligned, pre-faulted mapping, so the first message of the day takes no
/// page fault:
///
/// ```
///  offset   0  producer block  (tail, cached head, claimed)       128 B
///  offset 128  consumer block  (head, cached tail)                128 B
///  offset 256  halt block      (halt flag)                        128 B
///  offset 384  slots           slotCount × stride(Element)        slotCount = capacity rounded up to 2^k
/// ```
///
/// Full-ring policy: `tryPush` returns `.full` and writes nothing; `push(_:waiting:)` waits with its
/// strategy until a slot frees or the ring is halted. The ring never grows and never overwrites.
///
/// Performance: `tryPush`, `tryPop`, `claim`, `commit` and `drain` are `@inlinable`; specialized for a
/// concrete element they compile to straight-line loads and stores, with no ARC, exclusivity check or
/// allocation (`scripts/check-hot-paths.sh` proves it on every CI run), one releasing store per
/// operation (per batch for `drain` and `commit(count:)`), and — on x86 — no fence.
///
/// ```swift
/// let ring = try SPSCRing<Tick>(capacity: 65_536)
/// // producer thread                      // consumer thread
/// if ring.tryPush(tick) == .full { … }    while let tick = ring.pop() { handle(tick) }
/// ```
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    // Safe (@unchecked Sendable): every stored property is immutable after `init`; the shared words
    // they point to are atomics, and each plain word has a single writer (documented per field).

    @usableFromInline let lane: _SPSCLane<Element>
    @usableFromInline let haltFlag: _HaltFlag
    /// The mapping; released with the ring.
    let storage: AlignedMemory

    /// Creates an empty ring holding up to `capacity` messages.
    ///
    /// - Parameters:
    ///   - capacity: the exact number of messages the ring holds, 1...2^40. Storage is rounded up to
    ///     a power of two slots, so `65_536` wastes nothing and `65_537` doubles the memory.
    ///   - placement: NUMA node, `mlock` and huge pages for the storage.
    /// - Throws: `RingError.invalidCapacity`, or `.memory` if the storage cannot be mapped.
    public init(capacity: Int, placement: RingPlacement = .default) throws(RingError) {
        guard capacity >= 1, capacity <= _maximumRingCapacity else {
            throw .invalidCapacity(requested: capacity, maximum: _maximumRingCapacity)
        }
        let slotCount = _powerOfTwo(atLeast: capacity)
        let slotOffset = 3 * _blockSize
        storage = try _mapRingStorage(
            byteCount: slotOffset + slotCount * MemoryLayout<Element>.stride, placement: placement)
        let base = storage.base
        // Safe: the mapping is zeroed, 128-aligned and large enough for the layout above.
        let slots = (base + slotOffset).bindMemory(to: Element.self, capacity: slotCount)
        lane = _SPSCLane(control: base, slots: slots, slotCount: slotCount, capacity: capacity)
        haltFlag = _HaltFlag(initializingAt: base + 2 * _blockSize)
    }

    /// The number of messages the ring holds when full.
    @inlinable public var capacity: Int { Int(truncatingIfNeeded: lane.capacity) }

    /// The number of slots allocated (`capacity` rounded up to a power of two).
    @inlinable public var slotCount: Int { Int(truncatingIfNeeded: lane.mask &+ 1) }

    // MARK: Producer

    /// Appends `value` if a slot is free. Never blocks.
    ///
    /// - Returns: `.pushed`, or `.full` (nothing written).
    /// - Complexity: O(1); one releasing store.
    @inlinable @inline(__always)
    public func tryPush(_ value: Element) -> PushResult {
        lane.tryPush(value) ? .pushed : .full
    }

    /// Appends `value`, waiting with `strategy` while the ring is full.
    ///
    /// - Returns: `.pushed`, or `.halted` if the ring is halted (nothing written).
    @inlinable
    public func push<W: WaitStrategy>(_ value: Element, waiting strategy: W = BusySpinWait()) -> PushResult {
        haltFlag.wait(strategy) { lane.tryPush(value) } ? .pushed : .halted
    }

    /// Hands out the next free slot for encoding in place, or `nil` if the ring is full.
    ///
    /// Write the slot, then call `commit()` to publish it. A new `claim` without `commit` abandons the
    /// previous claim (the slot is reused). Never blocks.
    @inlinable @inline(__always)
    public func claim() -> UnsafeMutablePointer<Element>? { lane.claim() }

    /// Hands out up to `count` contiguous free slots (fewer at the end of the slot array or when the
    /// ring is nearly full; empty when full). Write a prefix of them, then `commit(count:)`.
    @inlinable @inline(__always)
    public func claim(upTo count: Int) -> UnsafeMutableBufferPointer<Element> { lane.claim(upTo: count) }

    /// Publishes the slot handed out by `claim()`.
    ///
    /// - Precondition: a `claim()` returned a slot and nothing was committed since.
    @inlinable @inline(__always)
    public func commit() { lane.commit(1) }

    /// Publishes the first `count` slots handed out by `claim(upTo:)`, with one releasing store.
    ///
    /// - Precondition: `count` ≤ the number of slots claimed.
    @inlinable @inline(__always)
    public func commit(count: Int) { lane.commit(UInt64(truncatingIfNeeded: Swift.max(count, 0))) }

    // MARK: Consumer

    /// Removes and returns the oldest message, or `nil` if the ring is empty. Never blocks.
    ///
    /// - Complexity: O(1); one releasing store.
    @inlinable @inline(__always)
    public func tryPop() -> Element? { lane.tryPop() }

    /// Removes and returns the oldest message, waiting with `strategy` while the ring is empty.
    ///
    /// - Returns: the message, or `nil` once the ring is halted. A halt stops the wait at the next
    ///   poll; messages still in the ring stay there for `tryPop`/`drain`.
    @inlinable
    public func pop<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> Element? {
        guard waitForData(waiting: strategy) == .ready else { return nil }
        return lane.tryPop()
    }

    /// Calls `body` on up to `maxCount` messages in order, then frees their slots with one releasing
    /// store (the Disruptor's batching effect). Never blocks.
    ///
    /// - Returns: the number of messages processed; 0 if the ring was empty.
    /// - Note: `body` must not call this ring's consumer methods.
    @inlinable @inline(__always)
    public func drain(maxCount: Int, _ body: (borrowing Element) -> Void) -> Int {
        lane.drain(maxCount: maxCount, body)
    }

    /// Waits with `strategy` until a message is ready or the ring is halted. Consumer thread only.
    ///
    /// A halted ring returns `.halted` immediately, even if messages remain.
    @inlinable
    public func waitForData<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> WaitResult {
        haltFlag.wait(strategy) { lane.hasData() } ? .ready : .halted
    }

    // MARK: Any thread

    /// Stops every current and future blocking call on this ring (`pop`, `push`, `waitForData`) until
    /// `resume()`: they return `nil` / `.halted` without touching the ring.
    ///
    /// Needs no free slot, so it works on a full ring. Messages are kept: nothing is lost. Waits with a
    /// spinning strategy return at their next poll; `ParkingWait` within one park period.
    @inlinable public func halt() { haltFlag.raise() }

    /// Clears a `halt()`.
    @inlinable public func resume() { haltFlag.clear() }

    /// Whether the ring is halted.
    @inlinable public var isHalted: Bool { haltFlag.isRaised }

    /// The number of messages in the ring at some instant during the call (for monitoring).
    @inlinable public var count: Int { lane.count }

    /// Messages published since creation.
    @inlinable public var pushedCount: UInt64 { lane.pushedCount }

    /// Messages consumed since creation.
    @inlinable public var poppedCount: UInt64 { lane.poppedCount }
}
