public import Synchronization
public import TernSystem

/// The outcome of putting one message into a ring.
///
/// `tryPush` returns `.pushed` or `.full`; a blocking `push(_:waiting:)` returns `.pushed` or
/// `.halted`. A full ring is never grown and never overwritten (except a lapping `BroadcastRing`,
/// which documents its own policy).
@frozen
public enum PushResult: Sendable, Equatable {
    /// The message is in the ring and visible to the consumer(s).
    case pushed
    /// The ring had no free slot; nothing was written. Retry, drop, or reject upstream.
    case full
    /// The ring is halted (a blocking push refuses at once, or stops waiting); nothing was written.
    case halted
}

/// The outcome of a blocking wait for data.
@frozen
public enum WaitResult: Sendable, Equatable {
    /// At least one message is ready.
    case ready
    /// The ring was halted; messages may remain, and `tryPop`/`drain` still return them.
    case halted
}

/// A ring could not be created.
public enum RingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requested capacity is not in `1...maximum`.
    case invalidCapacity(requested: Int, maximum: Int)
    /// A count other than the capacity (producers, consumers) is not in `1...maximum`.
    case invalidCount(what: String, requested: Int, maximum: Int)
    /// The storage could not be mapped, placed or locked.
    case memory(SystemError)

    public var description: String {
        switch self {
        case .invalidCapacity(let requested, let maximum):
            "ring capacity \(requested) is not in 1...\(maximum)"
        case .invalidCount(let what, let requested, let maximum):
            "\(what) count \(requested) is not in 1...\(maximum)"
        case .memory(let error):
            "ring storage: \(error)"
        }
    }
}

/// Where a ring's storage lives.
public struct RingPlacement: Sendable, Hashable {
    /// The NUMA node to bind the pages to, or `nil` for the creating thread's policy.
    public var node: Int?
    /// `mlock` the pages (needs `RLIMIT_MEMLOCK` or `CAP_IPC_LOCK`).
    public var lock: Bool
    /// Ask for transparent huge pages.
    public var hugePages: Bool

    public init(node: Int? = nil, lock: Bool = false, hugePages: Bool = false) {
        self.node = node
        self.lock = lock
        self.hugePages = hugePages
    }

    /// The creating thread's NUMA policy, no locking, normal pages.
    public static var `default`: RingPlacement { RingPlacement() }
}

/// The largest capacity any ring accepts (2^40 slots): positions are 64-bit and never wrap.
@usableFromInline let _maximumRingCapacity = 1 << 40

/// The size of the blocks that keep independently written words apart. x86's adjacent-line
/// prefetcher moves 64-byte lines in pairs, so 64 bytes of padding can still false-share.
@usableFromInline let _blockSize = 128

/// The smallest power of two ≥ `n` (`n ≥ 1`).
@inlinable
func _powerOfTwo(atLeast n: Int) -> Int {
    n <= 1 ? 1 : 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount)
}

/// `value` rounded up to a multiple of `alignment` (a power of two).
@inlinable
func _roundUp(_ value: Int, to alignment: Int) -> Int { (value + alignment - 1) & ~(alignment - 1) }

/// Maps pre-faulted, 128-byte-aligned storage, translating the error.
func _mapRingStorage(byteCount: Int, placement: RingPlacement) throws(RingError) -> AlignedMemory {
    do {
        return try AlignedMemory(
            byteCount: byteCount, alignment: _blockSize, node: placement.node, prefault: true, lock: placement.lock,
            hugePages: placement.hugePages)
    } catch {
        throw .memory(error)
    }
}

/// A ring's halt flag: one word on its own 128-byte block, written only by `halt()`/`resume()`,
/// read by waiting threads between polls.
@frozen @usableFromInline
struct _HaltFlag: @unchecked Sendable {
    @usableFromInline let word: UnsafeMutablePointer<Atomic<UInt32>>

    /// Initializes the flag in place (cleared).
    @usableFromInline
    init(initializingAt address: UnsafeMutableRawPointer) {
        word = address.bindMemory(to: Atomic<UInt32>.self, capacity: 1)
        word.initialize(to: Atomic(0))
    }

    @usableFromInline
    init(attachingAt address: UnsafeMutableRawPointer) {
        word = address.assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    /// Releasing store; pairs with the acquiring load in `isRaised`, so whatever the halting thread
    /// wrote before (a kill-switch reason) is visible to the thread that sees the halt.
    @inlinable
    func raise() { word.pointee.store(1, ordering: .releasing) }

    /// Releasing store; pairs with the acquiring load in `isRaised`.
    @inlinable
    func clear() { word.pointee.store(0, ordering: .releasing) }

    /// Acquiring load; pairs with the releasing stores in `raise` and `clear`.
    @inlinable
    var isRaised: Bool { word.pointee.load(ordering: .acquiring) != 0 }

    /// The wait loop of every blocking ring call: checks the flag, polls `ready`, idles with
    /// `strategy`, and repeats. Returns `true` once `ready` does, `false` once the flag is raised
    /// (checked before every poll, so a halted ring refuses at once).
    @inlinable @inline(__always)
    func wait<W: WaitStrategy>(_ strategy: W, until ready: () -> Bool) -> Bool {
        var iteration = 0
        while !isRaised {
            if ready() { return true }
            strategy.idle(iteration)
            iteration &+= 1
        }
        return false
    }
}
