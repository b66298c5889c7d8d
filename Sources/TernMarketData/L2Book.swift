public import TernCore

/// What an `L2Book` update did.
@frozen
public enum L2UpdateResult: UInt8, Sendable, BitwiseCopyable {
    /// The level was inserted, changed or removed.
    case applied = 0
    /// A zero size named a level the book does not hold (normal for depth diffs: the venue deletes
    /// levels beyond the depth the book was seeded with).
    case absentLevelDeleted = 1
    /// The side was full and the new level was better than its worst: the worst level was dropped.
    case evictedWorst = 2
    /// The side was full and the new level was worse than all of them: it was not kept.
    case dropped = 3
    /// The size was negative; nothing changed.
    case invalidSize = 4
}

/// A price-level (L2) book: per side, the levels' prices and total sizes in sorted preallocated
/// arrays with the best level at the end.
///
/// - Complexity: best bid/offer and the level at any depth in O(1); an update at depth d moves d
///   entries (updates concentrate near the top); a lookup far from the top bisects, O(log n).
/// - Capacity: fixed per side at creation; a full side keeps its best levels (the update reports
///   `.evictedWorst` or `.dropped`, and `truncatedLevels` counts them), never grows.
/// - Thread safety: none; one thread owns a book.
/// - Performance: no allocation after `init`. docs/decisions/0006-book-layout.md records why a
///   sorted array and not a tick-indexed ladder (feeds with 1,000-level snapshots span far more
///   ticks than a ladder around the mid can hold).
public final class L2Book {
    /// Both sides, bid then ask, in one allocation: mutations go through the pointer, so they
    /// carry no dynamic exclusivity check.
    @usableFromInline let sides: UnsafeMutablePointer<L2Side>

    /// The most levels one side holds.
    public let capacity: Int

    /// Levels dropped or evicted because a side was full.
    public var truncatedLevels: Int { sides[0].truncated + sides[1].truncated }

    /// Creates an empty book holding up to `capacity` levels per side.
    public init(capacity: Int = 8192) {
        precondition(capacity > 0, "an L2 book needs room for at least one level per side")
        self.capacity = capacity
        sides = .allocate(capacity: 2)
        sides.initialize(to: L2Side(capacity: capacity))
        (sides + 1).initialize(to: L2Side(capacity: capacity))
    }

    deinit {
        sides[0].deallocate()
        sides[1].deallocate()
        sides.deinitialize(count: 2)
        sides.deallocate()
    }

    // MARK: Updates

    /// Sets the total size at `price` on `side`; a zero size removes the level.
    ///
    /// `orders` is the level's order count when the feed carries one (else 0).
    @inlinable
    public func set(_ side: BookSide, price: Price, size: Quantity, orders: Int32 = 0) -> L2UpdateResult {
        (sides + Int(side.rawValue)).pointee.set(key: side.key(price), size: size.rawValue, orders: orders)
    }

    /// Removes every level on `side`.
    public func clear(_ side: BookSide) { sides[Int(side.rawValue)].keys.count = 0 }

    /// Removes every level on both sides.
    public func clear() {
        sides[0].keys.count = 0
        sides[1].keys.count = 0
    }

    // MARK: Queries

    /// The highest bid, or nil when there is none. O(1).
    @inlinable public var bestBid: BookLevel? { level(.bid, depth: 0) }

    /// The lowest offer, or nil when there is none. O(1).
    @inlinable public var bestAsk: BookLevel? { level(.ask, depth: 0) }

    /// The number of levels on `side`.
    @inlinable
    public func levelCount(_ side: BookSide) -> Int { sides[Int(side.rawValue)].keys.count }

    /// The level `depth` places from the best on `side` (0 is the best), or nil beyond the last.
    @inlinable
    public func level(_ side: BookSide, depth: Int) -> BookLevel? {
        let s = sides + Int(side.rawValue)
        let count = s.pointee.keys.count
        guard depth >= 0, depth < count else { return nil }
        let index = count &- 1 &- depth
        return BookLevel(
            price: side.price(s.pointee.keys.keys[index]), size: Quantity(rawValue: s.pointee.sizes[index]),
            orders: Int(s.pointee.counts[index]))
    }

    /// The total size at `price` on `side`, zero when no level is there.
    public func size(_ side: BookSide, at price: Price) -> Quantity {
        let s = sides[Int(side.rawValue)]
        let key = side.key(price)
        let index = s.keys.lowerBound(key)
        guard index < s.keys.count, s.keys.keys[index] == key else { return .zero }
        return Quantity(rawValue: s.sizes[index])
    }

    /// The best `limit` levels of `side`, best first.
    public func levels(_ side: BookSide, limit: Int = .max) -> [BookLevel] {
        let count = min(levelCount(side), max(limit, 0))
        return (0..<count).map { level(side, depth: $0)! }
    }

    /// Whether the best bid is at or above the best offer.
    public var isCrossed: Bool {
        guard let bid = bestBid, let ask = bestAsk else { return false }
        return bid.price >= ask.price
    }

    // MARK: Invariants

    /// Checks the book's invariants; traps on a violation. Compiled to nothing unless the
    /// `TERN_INTERNAL_CHECKS` flag is on (tests call `invariantViolation()` directly).
    @inlinable
    public func checkInvariants() {
        #if TERN_INTERNAL_CHECKS
            if let violation = invariantViolation() { preconditionFailure("L2Book: \(violation)") }
        #endif
    }

    /// The first broken invariant, described, or nil: keys strictly increase toward the best
    /// level, every stored size is positive, counts are not negative, no side exceeds capacity.
    public func invariantViolation() -> String? {
        for side in [BookSide.bid, .ask] {
            let s = sides[Int(side.rawValue)]
            let (keys, sizes, counts) = (s.keys, s.sizes, s.counts)
            if keys.count < 0 || keys.count > capacity { return "\(side) count \(keys.count) outside 0...\(capacity)" }
            for i in 0..<keys.count {
                if i > 0, keys.keys[i - 1] >= keys.keys[i] {
                    return "\(side) levels out of order at index \(i): \(side.price(keys.keys[i - 1])) then \(side.price(keys.keys[i]))"
                }
                if sizes[i] <= 0 { return "\(side) level \(side.price(keys.keys[i])) has size \(sizes[i])" }
                if counts[i] < 0 { return "\(side) level \(side.price(keys.keys[i])) has order count \(counts[i])" }
            }
        }
        return nil
    }
}

/// One side of an `L2Book`: sorted keys with the sizes and order counts beside them.
@usableFromInline
struct L2Side {
    @usableFromInline var keys: SortedKeys
    @usableFromInline let sizes: UnsafeMutablePointer<Int64>
    @usableFromInline let counts: UnsafeMutablePointer<Int32>
    @usableFromInline var truncated = 0

    init(capacity: Int) {
        keys = SortedKeys(capacity: capacity)
        sizes = .allocate(capacity: capacity)
        sizes.initialize(repeating: 0, count: capacity)
        counts = .allocate(capacity: capacity)
        counts.initialize(repeating: 0, count: capacity)
    }

    func deallocate() {
        keys.deallocate()
        sizes.deallocate()
        counts.deallocate()
    }

    @inlinable @inline(__always)
    mutating func set(key: Int64, size: Int64, orders: Int32) -> L2UpdateResult {
        if size < 0 { return .invalidSize }
        var index = keys.lowerBound(key)
        if index < keys.count && keys.keys[index] == key {
            if size == 0 {
                keys.closeGap(at: index)
                let moving = keys.count &- index
                if moving > 0 {
                    (sizes + index).update(from: sizes + index + 1, count: moving)
                    (counts + index).update(from: counts + index + 1, count: moving)
                }
            } else {
                sizes[index] = size
                counts[index] = orders
            }
            return .applied
        }
        if size == 0 { return .absentLevelDeleted }
        var result = L2UpdateResult.applied
        if keys.count == keys.capacity {
            truncated &+= 1
            // The worst level sits at index 0; a new level below it is the one to drop.
            if index == 0 { return .dropped }
            keys.closeGap(at: 0)
            sizes.update(from: sizes + 1, count: keys.count)
            counts.update(from: counts + 1, count: keys.count)
            index &-= 1
            result = .evictedWorst
        }
        let moving = keys.count &- index
        keys.openGap(at: index)
        if moving > 0 {
            (sizes + index + 1).update(from: sizes + index, count: moving)
            (counts + index + 1).update(from: counts + index, count: moving)
        }
        keys.keys[index] = key
        sizes[index] = size
        counts[index] = orders
        return result
    }
}
