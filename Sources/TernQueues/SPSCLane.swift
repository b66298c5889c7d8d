public import Synchronization

/// One single-producer single-consumer lane: the engine of `SPSCRing` and of each producer's lane in
/// `MPSCRing`. A value of raw pointers (no ARC); its owner keeps the memory alive.
///
/// Control words, 256 bytes, 128-byte aligned:
///
/// ```
///  offset  0 ┌──────────── producer block (written only by the producer) ───────────┐
///            │ +0  tail        Atomic<UInt64>  next position to write; published   │
///            │ +8  cachedHead  UInt64          producer's last view of `head`      │
///            │ +16 claimed     UInt64          slots handed out by `claim`         │
///            │ …   padding to 128                                                  │
///  offset 128├──────────── consumer block (written only by the consumer) ───────────┤
///            │ +0  head        Atomic<UInt64>  next position to read; published    │
///            │ +8  cachedTail  UInt64          consumer's last view of `tail`      │
///            │ …   padding to 128                                                  │
///            └─────────────────────────────────────────────────────────────────────┘
/// ```
///
/// Positions are 64-bit and never wrap (2^64 messages at 10^9/s is 584 years). The slot of position
/// `p` is `p & mask`, with `mask + 1` a power of two ≥ `capacity`; the ring is empty when
/// `tail == head` and full when `tail - head == capacity`, so no slot is sacrificed and any capacity
/// is exact. Each side re-reads the other side's published position only when its cached copy says
/// empty (consumer) or full (producer): in steady state a message costs one line transfer.
@frozen @usableFromInline
struct _SPSCLane<Element: BitwiseCopyable>: @unchecked Sendable {
    @usableFromInline static var controlByteCount: Int { 2 * _blockSize }

    @usableFromInline let producerBlock: UnsafeMutableRawPointer
    @usableFromInline let consumerBlock: UnsafeMutableRawPointer
    @usableFromInline let slots: UnsafeMutablePointer<Element>
    @usableFromInline let mask: UInt64
    @usableFromInline let capacity: UInt64

    /// Initializes the control words at `control` (256 bytes, 128-aligned) for `slots`.
    @usableFromInline
    init(control: UnsafeMutableRawPointer, slots: UnsafeMutablePointer<Element>, slotCount: Int, capacity: Int) {
        producerBlock = control
        consumerBlock = control + _blockSize
        self.slots = slots
        mask = UInt64(slotCount - 1)
        self.capacity = UInt64(capacity)
        producerBlock.bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        (producerBlock + 8).bindMemory(to: UInt64.self, capacity: 2).initialize(repeating: 0, count: 2)
        consumerBlock.bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        (consumerBlock + 8).bindMemory(to: UInt64.self, capacity: 1).initialize(to: 0)
    }

    // Safe (all six): the blocks were bound to these types, at these offsets, in `init`.
    @inlinable var tail: UnsafeMutablePointer<Atomic<UInt64>> {
        producerBlock.assumingMemoryBound(to: Atomic<UInt64>.self)
    }
    @inlinable var cachedHead: UnsafeMutablePointer<UInt64> { (producerBlock + 8).assumingMemoryBound(to: UInt64.self) }
    @inlinable var claimed: UnsafeMutablePointer<UInt64> { (producerBlock + 16).assumingMemoryBound(to: UInt64.self) }
    @inlinable var head: UnsafeMutablePointer<Atomic<UInt64>> {
        consumerBlock.assumingMemoryBound(to: Atomic<UInt64>.self)
    }
    @inlinable var cachedTail: UnsafeMutablePointer<UInt64> { (consumerBlock + 8).assumingMemoryBound(to: UInt64.self) }

    // MARK: Producer side (one thread)

    /// The number of free slots from the producer's view, refreshing its cache of `head` only when
    /// the cache shows fewer than `wanted`.
    @inlinable @inline(__always)
    func freeSlots(at tail: UInt64, wanted: UInt64) -> UInt64 {
        var free = capacity &- (tail &- cachedHead.pointee)
        if free < wanted {
            // Acquiring load of `head`; pairs with the releasing store of `head` in `tryPop`/`drain`,
            // so the consumer's reads of the slots it freed happen before we overwrite them.
            let head = head.pointee.load(ordering: .acquiring)
            cachedHead.pointee = head
            free = capacity &- (tail &- head)
        }
        return free
    }

    @inlinable @inline(__always)
    func tryPush(_ value: Element) -> Bool {
        // Relaxed: only this thread stores `tail`.
        let position = tail.pointee.load(ordering: .relaxed)
        if freeSlots(at: position, wanted: 1) == 0 { return false }
        // Safe: `position & mask` < slotCount, and the slot is free (the consumer is past it).
        (slots + Int(truncatingIfNeeded: position & mask)).initialize(to: value)
        // Releasing store of `tail`; pairs with the acquiring load of `tail` in `tryPop`/`drain`.
        tail.pointee.store(position &+ 1, ordering: .releasing)
        return true
    }

    @inlinable @inline(__always)
    func claim() -> UnsafeMutablePointer<Element>? {
        let position = tail.pointee.load(ordering: .relaxed)
        if freeSlots(at: position, wanted: 1) == 0 { return nil }
        claimed.pointee = 1
        // Safe: as in `tryPush`; the caller writes the slot before `commit`.
        return slots + Int(truncatingIfNeeded: position & mask)
    }

    @inlinable @inline(__always)
    func claim(upTo count: Int) -> UnsafeMutableBufferPointer<Element> {
        let position = tail.pointee.load(ordering: .relaxed)
        let wanted = UInt64(truncatingIfNeeded: Swift.max(count, 0))
        let index = position & mask
        // Contiguous: stop at the end of the slot array.
        let n = Swift.min(freeSlots(at: position, wanted: wanted), wanted, mask &+ 1 &- index)
        claimed.pointee = n
        // Safe: slots [index, index + n) lie inside the array and are free.
        return UnsafeMutableBufferPointer(
            start: slots + Int(truncatingIfNeeded: index), count: Int(truncatingIfNeeded: n))
    }

    @inlinable @inline(__always)
    func commit(_ count: UInt64) {
        precondition(count <= claimed.pointee, "commit: more slots than were claimed")
        claimed.pointee = 0
        let position = tail.pointee.load(ordering: .relaxed)
        // Releasing store of `tail`; pairs with the acquiring load of `tail` in `tryPop`/`drain`.
        tail.pointee.store(position &+ count, ordering: .releasing)
    }

    // MARK: Consumer side (one thread)

    /// The number of readable slots from the consumer's view, refreshing its cache of `tail` only
    /// when the cache shows fewer than `wanted`.
    @inlinable @inline(__always)
    func readableSlots(at head: UInt64, wanted: UInt64) -> UInt64 {
        var available = cachedTail.pointee &- head
        if available < wanted {
            // Acquiring load of `tail`; pairs with the releasing store in `tryPush`/`commit`, so the
            // producer's slot writes are visible before we read them.
            let tail = tail.pointee.load(ordering: .acquiring)
            cachedTail.pointee = tail
            available = tail &- head
        }
        return available
    }

    @inlinable @inline(__always)
    func tryPop() -> Element? {
        // Relaxed: only this thread stores `head`.
        let position = head.pointee.load(ordering: .relaxed)
        if readableSlots(at: position, wanted: 1) == 0 { return nil }
        // Safe: the slot was published by the producer's releasing store of `tail`.
        let value = slots[Int(truncatingIfNeeded: position & mask)]
        // Releasing store of `head`; pairs with the acquiring load of `head` in `freeSlots`.
        head.pointee.store(position &+ 1, ordering: .releasing)
        return value
    }

    @inlinable @inline(__always)
    func drain(maxCount: Int, _ body: (borrowing Element) -> Void) -> Int {
        let position = head.pointee.load(ordering: .relaxed)
        let wanted = UInt64(truncatingIfNeeded: Swift.max(maxCount, 0))
        let n = Swift.min(readableSlots(at: position, wanted: wanted), wanted)
        if n == 0 { return 0 }
        var p = position
        let end = position &+ n
        while p != end {
            // Safe: every position in [head, tail) was published by the producer.
            body(slots[Int(truncatingIfNeeded: p & mask)])
            p &+= 1
        }
        // One releasing store of `head` for the whole batch; pairs with the acquiring load in
        // `freeSlots`.
        head.pointee.store(end, ordering: .releasing)
        return Int(truncatingIfNeeded: n)
    }

    /// Whether the consumer would find a message (refreshing its cache when it shows none).
    @inlinable @inline(__always)
    func hasData() -> Bool {
        readableSlots(at: head.pointee.load(ordering: .relaxed), wanted: 1) != 0
    }

    // MARK: Any thread (approximate)

    /// Messages in the lane at some instant during the call (acquiring loads of both positions).
    @inlinable
    var count: Int {
        let head = head.pointee.load(ordering: .acquiring)
        let tail = tail.pointee.load(ordering: .acquiring)
        return Int(truncatingIfNeeded: tail &- Swift.min(head, tail))
    }

    /// Messages pushed so far.
    @inlinable
    var pushedCount: UInt64 { tail.pointee.load(ordering: .acquiring) }

    /// Messages consumed so far.
    @inlinable
    var poppedCount: UInt64 { head.pointee.load(ordering: .acquiring) }
}
