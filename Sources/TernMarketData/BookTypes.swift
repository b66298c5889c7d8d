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

/// A side's price levels: keys sorted ascending toward the best price, each with a value beside
/// it (L2: the level's size and order count; L3: the level's pool slot), in preallocated memory.
///
///     index    0 (worst) ......................... count-1 (best)
///     keys     ascending: bid prices up, or ask prices negated
///     values   the level data, moved with its key
///
/// Updates near the top of the book (the common case) move only the few entries above the
/// insertion point.
@usableFromInline
struct SortedLevels<Value: BitwiseCopyable> {
    @usableFromInline let keys: UnsafeMutablePointer<Int64>
    @usableFromInline let values: UnsafeMutablePointer<Value>
    @usableFromInline var count: Int
    @usableFromInline let capacity: Int

    init(capacity: Int, placeholder: Value) {
        self.capacity = capacity
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)  // pre-faults the pages
        values = .allocate(capacity: capacity)
        values.initialize(repeating: placeholder, count: capacity)
        count = 0
    }

    func deallocate() {
        keys.deallocate()
        values.deallocate()
    }

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

    /// The index holding `key`, or nil.
    @inlinable @inline(__always)
    func index(of key: Int64) -> Int? {
        let at = lowerBound(key)
        return at < count && keys[at] == key ? at : nil
    }

    /// Inserts `key` with `value` at `index` (from `lowerBound`), moving the entries above it up.
    /// Precondition: `count < capacity`.
    @inlinable @inline(__always)
    mutating func insert(_ key: Int64, _ value: Value, at index: Int) {
        let moving = count &- index
        if moving > 0 {
            (keys + index + 1).update(from: keys + index, count: moving)
            (values + index + 1).update(from: values + index, count: moving)
        }
        keys[index] = key
        values[index] = value
        count &+= 1
    }

    /// Removes the entry at `index`, moving the entries above it down.
    @inlinable @inline(__always)
    mutating func remove(at index: Int) {
        let moving = count &- index &- 1
        if moving > 0 {
            (keys + index).update(from: keys + index + 1, count: moving)
            (values + index).update(from: values + index + 1, count: moving)
        }
        count &-= 1
    }
}

/// A price to size entry of a depth message or snapshot.
@frozen
public struct PriceSize: Sendable, BitwiseCopyable, Equatable {
    public var price: Price
    public var size: Quantity

    @inlinable public init(price: Price, size: Quantity) {
        self.price = price
        self.size = size
    }
}

/// Where an L2 book kept from a snapshot and diffs stands (Binance, Bybit).
public enum DepthSyncState: String, Sendable {
    /// No snapshot yet; diffs are buffered (Binance) or skipped (Bybit).
    case awaitingSnapshot = "awaiting snapshot"
    /// Every diff since the snapshot chained.
    case synced
    /// A gap was seen (or a snapshot was too old for the buffered diffs); waiting for a new snapshot.
    case resyncing
}

/// What both books answer: the levels of a side by depth. The conveniences below are written
/// once for both.
public protocol PriceLevelBook: AnyObject {
    /// The number of price levels on `side`.
    func levelCount(_ side: BookSide) -> Int
    /// The level `depth` places from the best on `side` (0 is the best), or nil beyond the last.
    func level(_ side: BookSide, depth: Int) -> BookLevel?
}

extension PriceLevelBook {
    /// The highest bid, or nil when there is none. O(1).
    @inlinable public var bestBid: BookLevel? { level(.bid, depth: 0) }

    /// The lowest offer, or nil when there is none. O(1).
    @inlinable public var bestAsk: BookLevel? { level(.ask, depth: 0) }

    /// The best `limit` levels of `side`, best first.
    public func levels(_ side: BookSide, limit: Int = .max) -> [BookLevel] {
        (0..<min(levelCount(side), max(limit, 0))).map { level(side, depth: $0)! }
    }

    /// Whether the best bid is at or above the best offer.
    public var isCrossed: Bool {
        guard let bid = bestBid, let ask = bestAsk else { return false }
        return bid.price >= ask.price
    }
}
