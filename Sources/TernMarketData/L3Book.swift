public import TernCore

/// What an `L3Book` update did. Refusals are results, never traps: a feed that names an unknown
/// order (a sampled file, a missed packet) is counted by the caller and replay goes on.
@frozen
public enum L3UpdateResult: UInt8, Sendable, BitwiseCopyable {
    case applied = 0
    /// The order id is not in the book.
    case unknownOrder = 1
    /// An add named an order id already resting.
    case duplicateOrder = 2
    /// The order pool is full (capacity is fixed at creation).
    case orderPoolFull = 3
    /// The level pool is full.
    case levelPoolFull = 4
    /// An add with a size of zero or less.
    case invalidSize = 5
}

/// One resting order as `L3Book.order(_:)` reports it.
@frozen
public struct RestingOrder: Hashable, Sendable, BitwiseCopyable {
    public var id: UInt64
    public var side: BookSide
    public var price: Price
    public var size: Quantity

    @inlinable
    public init(id: UInt64, side: BookSide, price: Price, size: Quantity) {
        self.id = id
        self.side = side
        self.price = price
        self.size = size
    }
}

/// An order-by-order (L3) book: every resting order in a preallocated pool, found by id through an
/// open-addressed table, queued FIFO at its price level; each level keeps its total size and
/// order count.
///
///     id table (linear probing, power of two ≥ 2 × orders)      order pool               level pool
///     [ 0 | 7 | 0 | 3 | … ]  slot + 1, 0 = empty  ──────────►   id, key, size,   ──►    key, size, count,
///                                                              prev, next, level      head, tail
///     per side: sorted level keys (best at the end) with the level slot beside each key
///
/// Priority follows the exchanges' rule: a price change or a size increase sends the order to the
/// back of its (new) level; a size decrease keeps its place.
///
/// - Complexity: add, cancel, execute and delete are O(1) for the order plus, when a level appears
///   or empties, the sorted-keys move (O(depth of that level)). Best bid/offer and level by depth
///   are O(1).
/// - Thread safety: none; one thread owns a book.
/// - Performance: no allocation after `init`; the update paths are in scripts/check-hot-paths.sh.
public final class L3Book: PriceLevelBook {
    @usableFromInline let storage: UnsafeMutablePointer<L3Storage>

    /// The most orders the book holds.
    public let orderCapacity: Int
    /// The most price levels the book holds (both sides together).
    public let levelCapacity: Int

    /// Creates an empty book for up to `orderCapacity` resting orders on up to `levelCapacity`
    /// price levels (both sides together; each side's sorted index can hold all of them).
    public init(orderCapacity: Int = 1 << 20, levelCapacity: Int = 1 << 14) {
        precondition(orderCapacity > 0 && orderCapacity < Int(Int32.max) / 2, "order capacity out of range")
        precondition(levelCapacity > 0 && levelCapacity < Int(Int32.max), "level capacity out of range")
        self.orderCapacity = orderCapacity
        self.levelCapacity = levelCapacity
        storage = .allocate(capacity: 1)
        storage.initialize(to: L3Storage(orderCapacity: orderCapacity, levelCapacity: levelCapacity))
    }

    deinit {
        storage.pointee.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    // MARK: Updates

    /// Adds a new order at the back of its price level.
    @inlinable
    public func add(id: UInt64, side: BookSide, price: Price, size: Quantity) -> L3UpdateResult {
        storage.pointee.add(id: id, side: side, key: side.key(price), size: size.rawValue)
    }

    /// Takes `size` off an order (a partial cancel); the order leaves the book when nothing is left.
    /// Keeps the order's priority.
    @inlinable
    public func cancel(id: UInt64, size: Quantity) -> L3UpdateResult {
        storage.pointee.reduce(id: id, by: size.rawValue)
    }

    /// Takes an execution of `size` off a resting order; it leaves the book when fully filled.
    @inlinable
    public func execute(id: UInt64, size: Quantity) -> L3UpdateResult {
        storage.pointee.reduce(id: id, by: size.rawValue)
    }

    /// Removes an order entirely.
    @inlinable
    public func delete(id: UInt64) -> L3UpdateResult {
        storage.pointee.delete(id: id)
    }

    /// Changes an order's price and size. A price change or a size increase loses priority (the
    /// order goes to the back of its level); a decrease keeps it. A size of zero or less deletes.
    @inlinable
    public func modify(id: UInt64, price: Price, size: Quantity) -> L3UpdateResult {
        storage.pointee.modify(id: id, price: price, size: size.rawValue)
    }

    /// Replaces an order with a new one on the same side (ITCH's Order Replace): the old id leaves,
    /// the new id joins the back of its level.
    @inlinable
    public func replace(id: UInt64, newID: UInt64, price: Price, size: Quantity) -> L3UpdateResult {
        storage.pointee.replace(id: id, newID: newID, price: price, size: size.rawValue)
    }

    /// Removes every order.
    public func clear() { storage.pointee.clear() }

    // MARK: Queries

    /// The number of resting orders.
    @inlinable public var orderCount: Int { Int(storage.pointee.orderCount) }

    /// The number of price levels on `side`.
    @inlinable
    public func levelCount(_ side: BookSide) -> Int { storage.pointee.side(side).count }

    /// The level `depth` places from the best on `side` (0 is the best), or nil beyond the last. O(1).
    @inlinable
    public func level(_ side: BookSide, depth: Int) -> BookLevel? {
        guard let slot = storage.pointee.levelSlot(side, depth: depth) else { return nil }
        let level = storage.pointee.levels[Int(slot)]
        return BookLevel(price: side.price(level.key), size: Quantity(rawValue: level.size), orders: Int(level.count))
    }

    /// The resting order with `id`, or nil.
    public func order(_ id: UInt64) -> RestingOrder? {
        let slot = storage.pointee.find(id)
        guard slot >= 0 else { return nil }
        let order = storage.pointee.orders[slot]
        return RestingOrder(id: id, side: order.side, price: order.side.price(order.key), size: Quantity(rawValue: order.size))
    }

    /// The orders queued at the level `depth` places from the best on `side`, front of the queue
    /// first. For inspection and tests; it allocates.
    public func queue(_ side: BookSide, depth: Int) -> [RestingOrder] {
        guard let slot = storage.pointee.levelSlot(side, depth: depth) else { return [] }
        let level = storage.pointee.levels[Int(slot)]
        var result: [RestingOrder] = []
        var cursor = level.head
        while cursor >= 0 {
            let order = storage.pointee.orders[Int(cursor)]
            result.append(RestingOrder(id: order.id, side: side, price: side.price(order.key), size: Quantity(rawValue: order.size)))
            cursor = order.next
        }
        return result
    }

    // MARK: Invariants

    /// Checks the book's invariants; traps on a violation. Compiled to nothing unless the
    /// `TERN_INTERNAL_CHECKS` flag is on (tests call `invariantViolation()` directly).
    @inlinable
    public func checkInvariants() {
        #if TERN_INTERNAL_CHECKS
            if let violation = invariantViolation() { preconditionFailure("L3Book: \(violation)") }
        #endif
    }

    /// The first broken invariant, described, or nil. Checks that each side's keys strictly
    /// increase toward the best; that every level's queue links both ways, holds only orders of
    /// its side and price, and sums to the level's size and count; that every resting order is
    /// found through the id table and every table entry names a resting order; and that the free
    /// lists and the live entries account for the whole of both pools.
    public func invariantViolation() -> String? { storage.pointee.invariantViolation() }
}

/// A pooled order. 40 bytes.
@usableFromInline
struct L3Order {
    @usableFromInline var id: UInt64
    @usableFromInline var key: Int64
    @usableFromInline var size: Int64
    @usableFromInline var prev: Int32
    @usableFromInline var next: Int32
    @usableFromInline var level: Int32
    @usableFromInline var side: BookSide

    @inlinable init(id: UInt64, key: Int64, size: Int64, prev: Int32, next: Int32, level: Int32, side: BookSide) {
        self.id = id
        self.key = key
        self.size = size
        self.prev = prev
        self.next = next
        self.level = level
        self.side = side
    }
}

/// A pooled price level: its FIFO queue's ends, total size and order count. 32 bytes.
@usableFromInline
struct L3Level {
    @usableFromInline var key: Int64
    @usableFromInline var size: Int64
    @usableFromInline var count: Int32
    @usableFromInline var head: Int32
    @usableFromInline var tail: Int32
    @usableFromInline var side: BookSide

    @inlinable init(key: Int64, size: Int64, count: Int32, head: Int32, tail: Int32, side: BookSide) {
        self.key = key
        self.size = size
        self.count = count
        self.head = head
        self.tail = tail
        self.side = side
    }
}

/// Everything an `L3Book` owns, behind one pointer (so mutation carries no exclusivity check).
@usableFromInline
struct L3Storage {
    @usableFromInline let orders: UnsafeMutablePointer<L3Order>
    @usableFromInline let levels: UnsafeMutablePointer<L3Level>
    /// Order slot + 1 per table entry; 0 is empty.
    @usableFromInline let table: UnsafeMutablePointer<Int32>
    @usableFromInline let tableMask: Int
    @usableFromInline let tableShift: UInt64
    @usableFromInline var freeOrder: Int32 = 0
    @usableFromInline var freeLevel: Int32 = 0
    @usableFromInline var orderCount: Int32 = 0
    /// Per side, the level keys with each level's pool slot beside its key.
    @usableFromInline var bids: SortedLevels<Int32>
    @usableFromInline var asks: SortedLevels<Int32>
    let orderCapacity: Int
    let levelCapacity: Int

    init(orderCapacity: Int, levelCapacity: Int) {
        self.orderCapacity = orderCapacity
        self.levelCapacity = levelCapacity
        orders = .allocate(capacity: orderCapacity)
        levels = .allocate(capacity: levelCapacity)
        var tableSize = 16
        while tableSize < 2 * orderCapacity { tableSize <<= 1 }
        table = .allocate(capacity: tableSize)
        table.initialize(repeating: 0, count: tableSize)
        tableMask = tableSize - 1
        tableShift = UInt64(64 - tableSize.trailingZeroBitCount)
        bids = SortedLevels(capacity: levelCapacity, placeholder: -1)
        asks = SortedLevels(capacity: levelCapacity, placeholder: -1)
        threadFreeLists()
    }

    /// Writes every order and level slot as free, chained in order (the pools' only
    /// initialization; `clear` reuses it). Both element types are trivial, so initializing over
    /// live entries is allowed.
    mutating func threadFreeLists() {
        for i in 0..<orderCapacity {
            (orders + i).initialize(
                to: L3Order(id: 0, key: 0, size: 0, prev: -1, next: i + 1 < orderCapacity ? Int32(i + 1) : -1, level: -1, side: .bid))
        }
        for i in 0..<levelCapacity {
            (levels + i).initialize(
                to: L3Level(key: 0, size: 0, count: 0, head: i + 1 < levelCapacity ? Int32(i + 1) : -1, tail: -1, side: .bid))
        }
        freeOrder = 0
        freeLevel = 0
        orderCount = 0
    }

    func deallocate() {
        orders.deallocate()
        levels.deallocate()
        table.deallocate()
        bids.deallocate()
        asks.deallocate()
    }

    @inlinable @inline(__always)
    func side(_ side: BookSide) -> SortedLevels<Int32> { side == .bid ? bids : asks }

    /// The pool slot of the level `depth` places from the best on `side`, or nil.
    @inlinable @inline(__always)
    func levelSlot(_ side: BookSide, depth: Int) -> Int32? {
        let levels = self.side(side)
        guard depth >= 0, depth < levels.count else { return nil }
        return levels.values[levels.count &- 1 &- depth]
    }

    // MARK: Id table

    /// Fibonacci hashing: the top bits of id × 2^64/φ.
    @inlinable @inline(__always)
    func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> tableShift) }

    /// The table position holding `id`, or -1.
    @inlinable @inline(__always)
    func position(_ id: UInt64) -> Int {
        var i = home(id)
        while true {
            let entry = table[i]
            if entry == 0 { return -1 }
            if orders[Int(entry &- 1)].id == id { return i }
            i = (i &+ 1) & tableMask
        }
    }

    /// The pool slot of `id`, or -1.
    @inlinable @inline(__always)
    func find(_ id: UInt64) -> Int {
        let p = position(id)
        return p < 0 ? -1 : Int(table[p] &- 1)
    }

    /// Empties table position `hole` and shifts later entries of the same probe run back into it
    /// (deletion without tombstones, so lookups stay short under churn).
    @inlinable
    func removePosition(_ start: Int) {
        var hole = start
        var i = start
        while true {
            i = (i &+ 1) & tableMask
            let entry = table[i]
            if entry == 0 { break }
            let home = self.home(orders[Int(entry &- 1)].id)
            // Move the entry back unless its home lies cyclically in (hole, i].
            let stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i)
            if !stays {
                table[hole] = entry
                hole = i
            }
        }
        table[hole] = 0
    }

    // MARK: Levels

    /// The level slot for `key` on `side`, created when absent (-1 when the level pool is full).
    @inlinable @inline(__always)
    mutating func level(side: BookSide, key: Int64) -> Int32 {
        side == .bid ? Self.level(&bids, key, side, levels, &freeLevel) : Self.level(&asks, key, side, levels, &freeLevel)
    }

    @inlinable @inline(__always)
    static func level(
        _ index: inout SortedLevels<Int32>, _ key: Int64, _ side: BookSide, _ levels: UnsafeMutablePointer<L3Level>,
        _ free: inout Int32
    ) -> Int32 {
        let at = index.lowerBound(key)
        if at < index.count && index.keys[at] == key { return index.values[at] }
        let slot = free
        if slot < 0 { return -1 }
        free = levels[Int(slot)].head
        levels[Int(slot)] = L3Level(key: key, size: 0, count: 0, head: -1, tail: -1, side: side)
        index.insert(key, slot, at: at)
        return slot
    }

    /// Unlinks an emptied level from its side's index and returns it to the pool.
    @inlinable
    mutating func releaseLevel(_ slot: Int32) {
        let level = levels[Int(slot)]
        if level.side == .bid {
            bids.remove(at: bids.lowerBound(level.key))
        } else {
            asks.remove(at: asks.lowerBound(level.key))
        }
        levels[Int(slot)].head = freeLevel
        levels[Int(slot)].count = 0
        levels[Int(slot)].size = 0
        freeLevel = slot
    }

    /// Appends order `slot` to the back of level `levelSlot`.
    @inlinable @inline(__always)
    func enqueue(_ slot: Int32, level levelSlot: Int32) {
        let level = levels + Int(levelSlot)
        let order = orders + Int(slot)
        order.pointee.level = levelSlot
        order.pointee.next = -1
        order.pointee.prev = level.pointee.tail
        if level.pointee.tail >= 0 { orders[Int(level.pointee.tail)].next = slot } else { level.pointee.head = slot }
        level.pointee.tail = slot
        level.pointee.count &+= 1
        level.pointee.size &+= order.pointee.size
    }

    /// Takes order `slot` out of its level's queue; returns whether the level is now empty.
    @inlinable @inline(__always)
    func dequeue(_ slot: Int32) -> Bool {
        let order = orders + Int(slot)
        let level = levels + Int(order.pointee.level)
        if order.pointee.prev >= 0 { orders[Int(order.pointee.prev)].next = order.pointee.next } else { level.pointee.head = order.pointee.next }
        if order.pointee.next >= 0 { orders[Int(order.pointee.next)].prev = order.pointee.prev } else { level.pointee.tail = order.pointee.prev }
        level.pointee.count &-= 1
        level.pointee.size &-= order.pointee.size
        return level.pointee.count == 0
    }

    // MARK: Operations

    @inlinable
    mutating func add(id: UInt64, side: BookSide, key: Int64, size: Int64) -> L3UpdateResult {
        if size <= 0 { return .invalidSize }
        // Find the table position (or the empty one where the id goes) in one probe run.
        var i = home(id)
        while true {
            let entry = table[i]
            if entry == 0 { break }
            if orders[Int(entry &- 1)].id == id { return .duplicateOrder }
            i = (i &+ 1) & tableMask
        }
        let slot = freeOrder
        if slot < 0 { return .orderPoolFull }
        let levelSlot = level(side: side, key: key)
        if levelSlot < 0 { return .levelPoolFull }
        freeOrder = orders[Int(slot)].next
        orders[Int(slot)] = L3Order(id: id, key: key, size: size, prev: -1, next: -1, level: levelSlot, side: side)
        enqueue(slot, level: levelSlot)
        table[i] = slot &+ 1
        orderCount &+= 1
        return .applied
    }

    @inlinable
    mutating func reduce(id: UInt64, by amount: Int64) -> L3UpdateResult {
        let p = position(id)
        if p < 0 { return .unknownOrder }
        let slot = table[p] &- 1
        let order = orders + Int(slot)
        if amount < order.pointee.size {
            // Safe: 0 <= amount < size, so the order and its level stay positive.
            let taken = amount > 0 ? amount : 0
            order.pointee.size &-= taken
            levels[Int(order.pointee.level)].size &-= taken
            return .applied
        }
        remove(slot: slot, position: p)
        return .applied
    }

    @inlinable
    mutating func delete(id: UInt64) -> L3UpdateResult {
        let p = position(id)
        if p < 0 { return .unknownOrder }
        remove(slot: table[p] &- 1, position: p)
        return .applied
    }

    @inlinable
    mutating func remove(slot: Int32, position p: Int) {
        let levelSlot = orders[Int(slot)].level
        if dequeue(slot) { releaseLevel(levelSlot) }
        removePosition(p)
        orders[Int(slot)].next = freeOrder
        orders[Int(slot)].level = -1
        freeOrder = slot
        orderCount &-= 1
    }

    @inlinable
    mutating func modify(id: UInt64, price: Price, size: Int64) -> L3UpdateResult {
        let p = position(id)
        if p < 0 { return .unknownOrder }
        let slot = table[p] &- 1
        if size <= 0 {
            remove(slot: slot, position: p)
            return .applied
        }
        let order = orders + Int(slot)
        let side = order.pointee.side
        let key = side.key(price)
        if key == order.pointee.key {
            if size <= order.pointee.size {
                // A decrease (or no change) keeps the order's place in the queue.
                levels[Int(order.pointee.level)].size &-= order.pointee.size &- size
                order.pointee.size = size
                return .applied
            }
            // An increase goes to the back of the same level.
            _ = dequeue(slot)
            order.pointee.size = size
            enqueue(slot, level: order.pointee.level)
            return .applied
        }
        // A new price: make sure the new level exists before leaving the old one, so a full level
        // pool refuses the change and loses nothing.
        let oldLevel = order.pointee.level
        let newLevel = level(side: side, key: key)
        if newLevel < 0 { return .levelPoolFull }
        if dequeue(slot) { releaseLevel(oldLevel) }
        order.pointee.key = key
        order.pointee.size = size
        enqueue(slot, level: newLevel)
        return .applied
    }

    @inlinable
    mutating func replace(id: UInt64, newID: UInt64, price: Price, size: Int64) -> L3UpdateResult {
        let p = position(id)
        if p < 0 { return .unknownOrder }
        if size <= 0 { return .invalidSize }
        if newID != id && position(newID) >= 0 { return .duplicateOrder }
        let slot = table[p] &- 1
        let side = orders[Int(slot)].side
        remove(slot: slot, position: p)
        // The removal freed an order slot, so only the level pool can refuse the add.
        return add(id: newID, side: side, key: side.key(price), size: size)
    }

    mutating func clear() {
        threadFreeLists()
        table.update(repeating: 0, count: tableMask + 1)
        bids.count = 0
        asks.count = 0
    }

    // MARK: Invariants

    func invariantViolation() -> String? {
        var ordersInLevels = 0
        var liveLevels = 0
        for side in [BookSide.bid, .ask] {
            let index = self.side(side)
            for position in 0..<index.count {
                if position > 0, index.keys[position - 1] >= index.keys[position] {
                    return "\(side) level keys out of order at index \(position)"
                }
                let slot = index.values[position]
                guard slot >= 0, Int(slot) < levelCapacity else { return "\(side) index names level slot \(slot)" }
                let level = levels[Int(slot)]
                liveLevels += 1
                if level.key != index.keys[position] || level.side != side {
                    return "\(side) level slot \(slot) holds key \(level.key) on side \(level.side), indexed as \(index.keys[position])"
                }
                if level.count <= 0 { return "\(side) level \(side.price(level.key)) is indexed but empty" }
                var count: Int32 = 0
                var size: Int64 = 0
                var previous: Int32 = -1
                var cursor = level.head
                while cursor >= 0 {
                    guard Int(cursor) < orderCapacity, count <= level.count else {
                        return "\(side) level \(side.price(level.key)) queue is longer than its count or leaves the pool"
                    }
                    let order = orders[Int(cursor)]
                    if order.prev != previous { return "order \(order.id) links back to \(order.prev), not \(previous)" }
                    if order.level != slot || order.key != level.key || order.side != side {
                        return "order \(order.id) is queued at \(side.price(level.key)) but says level \(order.level)"
                    }
                    if order.size <= 0 { return "order \(order.id) has size \(order.size)" }
                    if find(order.id) != Int(cursor) { return "order \(order.id) is not found through the id table" }
                    count += 1
                    size += order.size
                    previous = cursor
                    cursor = order.next
                }
                if previous != level.tail { return "\(side) level \(side.price(level.key)) tail is \(level.tail), queue ends at \(previous)" }
                if count != level.count || size != level.size {
                    return "\(side) level \(side.price(level.key)) says \(level.count) orders / \(level.size), queue holds \(count) / \(size)"
                }
                ordersInLevels += Int(count)
            }
        }
        if ordersInLevels != Int(orderCount) { return "\(ordersInLevels) orders queued, count says \(orderCount)" }
        var tableEntries = 0
        for i in 0...tableMask where table[i] != 0 {
            tableEntries += 1
            let slot = Int(table[i] - 1)
            if slot >= orderCapacity || orders[slot].level < 0 { return "id table position \(i) names a free order slot \(slot)" }
        }
        if tableEntries != Int(orderCount) { return "id table holds \(tableEntries) entries for \(orderCount) orders" }
        var freeOrders = 0
        var cursor = freeOrder
        while cursor >= 0 && freeOrders <= orderCapacity {
            freeOrders += 1
            cursor = orders[Int(cursor)].next
        }
        if freeOrders + Int(orderCount) != orderCapacity {
            return "order pool: \(freeOrders) free + \(orderCount) live != capacity \(orderCapacity)"
        }
        var freeLevels = 0
        cursor = freeLevel
        while cursor >= 0 && freeLevels <= levelCapacity {
            freeLevels += 1
            cursor = levels[Int(cursor)].head
        }
        if freeLevels + liveLevels != levelCapacity {
            return "level pool: \(freeLevels) free + \(liveLevels) live != capacity \(levelCapacity)"
        }
        return nil
    }
}
