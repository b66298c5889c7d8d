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
public final class L2Book: PriceLevelBook {
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
        sides[0].levels.deallocate()
        sides[1].levels.deallocate()
        sides.deinitialize(count: 2)
        sides.deallocate()
    }

    // MARK: Updates

    /// Sets the total size at `price` on `side`; a zero size removes the level.
    ///
    /// `orders` is the level's order count when the feed carries one (else 0).
    @inlinable
    public func set(_ side: BookSide, price: Price, size: Quantity, orders: Int32 = 0) -> L2UpdateResult {
        (sides + Int(side.rawValue)).pointee.set(key: side.key(price), L2Value(size: size.rawValue, orders: orders))
    }

    /// Sets every level of a depth message on `side` (a zero size removes its level).
    @inlinable
    public func set(_ side: BookSide, levels: some Sequence<PriceSize>) {
        for level in levels { _ = set(side, price: level.price, size: level.size) }
    }

    /// Removes every level on `side`.
    public func clear(_ side: BookSide) { sides[Int(side.rawValue)].levels.count = 0 }

    /// Removes every level on both sides.
    public func clear() {
        sides[0].levels.count = 0
        sides[1].levels.count = 0
    }

    // MARK: Queries

    /// The number of levels on `side`.
    @inlinable
    public func levelCount(_ side: BookSide) -> Int { sides[Int(side.rawValue)].levels.count }

    /// The level `depth` places from the best on `side` (0 is the best), or nil beyond the last. O(1).
    @inlinable
    public func level(_ side: BookSide, depth: Int) -> BookLevel? {
        let levels = sides[Int(side.rawValue)].levels
        guard depth >= 0, depth < levels.count else { return nil }
        let index = levels.count &- 1 &- depth
        let value = levels.values[index]
        return BookLevel(price: side.price(levels.keys[index]), size: Quantity(rawValue: value.size), orders: Int(value.orders))
    }

    /// The total size at `price` on `side`, zero when no level is there.
    public func size(_ side: BookSide, at price: Price) -> Quantity {
        let levels = sides[Int(side.rawValue)].levels
        guard let index = levels.index(of: side.key(price)) else { return .zero }
        return Quantity(rawValue: levels.values[index].size)
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
            let levels = sides[Int(side.rawValue)].levels
            if levels.count < 0 || levels.count > capacity { return "\(side) count \(levels.count) outside 0...\(capacity)" }
            for i in 0..<levels.count {
                let price = side.price(levels.keys[i])
                if i > 0, levels.keys[i - 1] >= levels.keys[i] {
                    return "\(side) levels out of order at index \(i): \(side.price(levels.keys[i - 1])) then \(price)"
                }
                if levels.values[i].size <= 0 { return "\(side) level \(price) has size \(levels.values[i].size)" }
                if levels.values[i].orders < 0 { return "\(side) level \(price) has order count \(levels.values[i].orders)" }
            }
        }
        return nil
    }
}

/// An L2 level's data beside its key.
@usableFromInline
struct L2Value: BitwiseCopyable {
    @usableFromInline var size: Int64
    @usableFromInline var orders: Int32

    @inlinable init(size: Int64, orders: Int32) {
        self.size = size
        self.orders = orders
    }
}

/// One side of an `L2Book`.
@usableFromInline
struct L2Side {
    @usableFromInline var levels: SortedLevels<L2Value>
    @usableFromInline var truncated = 0

    init(capacity: Int) { levels = SortedLevels(capacity: capacity, placeholder: L2Value(size: 0, orders: 0)) }

    @inlinable @inline(__always)
    mutating func set(key: Int64, _ value: L2Value) -> L2UpdateResult {
        if value.size < 0 { return .invalidSize }
        var index = levels.lowerBound(key)
        if index < levels.count && levels.keys[index] == key {
            if value.size == 0 { levels.remove(at: index) } else { levels.values[index] = value }
            return .applied
        }
        if value.size == 0 { return .absentLevelDeleted }
        var result = L2UpdateResult.applied
        if levels.count == levels.capacity {
            truncated &+= 1
            // The worst level sits at index 0; a new level below it is the one to drop.
            if index == 0 { return .dropped }
            levels.remove(at: 0)
            index &-= 1
            result = .evictedWorst
        }
        levels.insert(key, value, at: index)
        return result
    }
}
