public import TernCore

/// The side of a book a price level or resting order is on.
@frozen
public enum BookSide: UInt8, Sendable, BitwiseCopyable, CustomStringConvertible {
    case bid = 0
    case ask = 1

    /// The other side.
    @inlinable public var opposite: BookSide { self == .bid ? .ask : .bid }

    public var description: String { self == .bid ? "bid" : "ask" }

    /// Both books store a side's levels sorted by a *key* that grows toward the best price:
    /// the price for bids, the negated price for asks. One search and one insert path then serve
    /// both sides.
    @inlinable @inline(__always)
    func key(_ price: Price) -> Int64 { self == .bid ? price.rawValue : 0 &- price.rawValue }

    @inlinable @inline(__always)
    func price(_ key: Int64) -> Price { Price(rawValue: self == .bid ? key : 0 &- key) }
}

/// One price level as a book reports it: the price, the total size resting there and, where the
/// feed says, how many orders make it up.
@frozen
public struct BookLevel: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var price: Price
    public var size: Quantity
    /// The number of orders at the level. An L3 book always knows it; an L2 book knows it only
    /// when its feed carries counts (Databento MBP-1 does, Binance and Bybit do not), else 0.
    public var orders: Int

    @inlinable
    public init(price: Price, size: Quantity, orders: Int) {
        self.price = price
        self.size = size
        self.orders = orders
    }

    public var description: String { "\(size) @ \(price) (\(orders) orders)" }
}

/// A side's sorted level keys, best at the end, in preallocated memory.
///
///     index    0 (worst) ......................... count-1 (best)
///     keys     ascending: bid prices up, or ask prices negated
///
/// Updates near the top of the book (the common case) move only the few entries above the
/// insertion point.
@usableFromInline
struct SortedKeys {
    @usableFromInline let keys: UnsafeMutablePointer<Int64>
    @usableFromInline var count: Int
    @usableFromInline let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        keys = .allocate(capacity: max(capacity, 1))
        keys.initialize(repeating: 0, count: max(capacity, 1))  // pre-faults the pages
        count = 0
    }

    func deallocate() { keys.deallocate() }

    /// The index of the first key that is not below `key` (`count` if none): where `key` is or
    /// would be inserted. Checks the top of the book first, then bisects.
    @inlinable @inline(__always)
    func lowerBound(_ key: Int64) -> Int {
        var high = count
        // Most updates touch the best few levels: a short scan down from the top settles them.
        var probes = 0
        while high > 0 && probes < 4 {
            if keys[high - 1] < key { return high }
            high -= 1
            probes += 1
        }
        var low = 0
        while low < high {
            let mid = (low &+ high) >> 1
            if keys[mid] < key { low = mid &+ 1 } else { high = mid }
        }
        return low
    }

    /// Opens a gap at `index` (the caller writes the new key there and into its parallel arrays).
    @inlinable @inline(__always)
    mutating func openGap(at index: Int) {
        let moving = count &- index
        if moving > 0 { (keys + index + 1).update(from: keys + index, count: moving) }
        count &+= 1
    }

    /// Closes the gap at `index`.
    @inlinable @inline(__always)
    mutating func closeGap(at index: Int) {
        let moving = count &- index &- 1
        if moving > 0 { (keys + index).update(from: keys + index + 1, count: moving) }
        count &-= 1
    }
}
