public import TernCore

/// Where an order is in its life (FIX OrdStatus, less the states Tern does not use).
@frozen
public enum OrderState: UInt8, Sendable, BitwiseCopyable, CaseIterable, CustomStringConvertible {
    case pendingNew, new, partiallyFilled, filled, pendingCancel, canceled, pendingReplace, replaced, rejected, expired

    /// Whether no more fills are expected (a late fill is still applied: see `OrderManager`).
    @inlinable public var isTerminal: Bool {
        switch self {
        case .filled, .canceled, .replaced, .rejected, .expired: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .pendingNew: "pending_new"
        case .new: "new"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .pendingCancel: "pending_cancel"
        case .canceled: "canceled"
        case .pendingReplace: "pending_replace"
        case .replaced: "replaced"
        case .rejected: "rejected"
        case .expired: "expired"
        }
    }
}

/// One order as the engine knows it.
@frozen
public struct ManagedOrder: Sendable, BitwiseCopyable, Equatable {
    public var clientOrderID: ClientOrderID
    public var orderID: OrderID
    public var instrument: InstrumentID
    public var side: Side
    public var state: OrderState
    public var price: Price
    public var quantity: Quantity
    public var filled: Quantity
    /// `quantity − filled` while the order can trade, 0 once it is terminal.
    public var leaves: Quantity
    /// The order this one replaces (replace requests), or 0.
    public var replaces: ClientOrderID
    /// The exchange time of the request.
    public var created: Timestamp

    /// Whether the order may still trade (working at the venue or on its way there).
    @inlinable public var isOpen: Bool { !state.isTerminal }
}

/// What applying a report did, for counters and tests.
@frozen
public enum OrderUpdate: UInt8, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The order moved (or a fill was booked).
    case applied
    /// A report the order's state already reflects (a second ack, a duplicate execution ID):
    /// ignored.
    case duplicate
    /// A report that arrived after one that supersedes it (an ack after the fill that filled the
    /// order): ignored, the state is already right.
    case stale
    /// A fill after the order was canceled, replaced or expired: booked (the position is real),
    /// the state kept.
    case lateFill
    /// A report for an order this manager does not know.
    case unknownOrder

    public var description: String {
        switch self {
        case .applied: "applied"
        case .duplicate: "duplicate"
        case .stale: "stale"
        case .lateFill: "late_fill"
        case .unknownOrder: "unknown_order"
        }
    }
}

/// The order state machine: pending new → new → partially filled → filled; pending cancel →
/// canceled; pending replace → replaced; rejected; expired. It tolerates what real venues and
/// networks do: duplicate reports (the same execution ID twice, a second ack), and reports out of
/// order (a fill before its ack, a cancel ack before the fill that preceded it).
///
/// Orders live in a fixed table indexed by the low bits of their client order ID (the engine
/// issues IDs in sequence), so lookups are one load and nothing allocates after `init`. An ID
/// whose slot still holds an open order is refused (`canTrack`); size the table above the number
/// of orders open at once.
public final class OrderManager {
    @usableFromInline let slots: UnsafeMutablePointer<ManagedOrder>
    @usableFromInline let mask: Int
    let executions: RecentIDs
    /// Orders tracked since `init` (including terminal ones).
    public private(set) var tracked = 0
    /// Reports by outcome (`OrderUpdate.rawValue` index).
    public private(set) var outcomes = [Int](repeating: 0, count: 5)
    /// Working (open) orders.
    public private(set) var openCount = 0

    /// A table for `capacity` orders (rounded up to a power of two) and the last
    /// `executionMemory` execution IDs.
    public init(capacity: Int = 1 << 14, executionMemory: Int = 1 << 16) {
        var n = 16
        while n < capacity { n <<= 1 }
        mask = n - 1
        slots = .allocate(capacity: n)
        slots.initialize(repeating: ManagedOrder.empty, count: n)
        executions = RecentIDs(capacity: executionMemory)
    }

    deinit { slots.deallocate() }

    /// Whether an order with `id` can be tracked now (its slot is free or terminal).
    @inlinable
    public func canTrack(_ id: ClientOrderID) -> Bool {
        let s = slots[Int(truncatingIfNeeded: id.rawValue) & mask]
        return s.clientOrderID.rawValue == 0 || s.state.isTerminal
    }

    /// The order with `id`, or nil.
    @inlinable
    public func order(_ id: ClientOrderID) -> ManagedOrder? {
        let s = slots[Int(truncatingIfNeeded: id.rawValue) & mask]
        return s.clientOrderID == id && id.rawValue != 0 ? s : nil
    }

    @inlinable
    func slot(_ id: ClientOrderID) -> UnsafeMutablePointer<ManagedOrder>? {
        let p = slots + (Int(truncatingIfNeeded: id.rawValue) & mask)
        return p.pointee.clientOrderID == id && id.rawValue != 0 ? p : nil
    }

    /// Tracks a new order the engine sent (state pending new). The caller checked `canTrack`.
    public func track(_ order: NewOrder) {
        let p = slots + (Int(truncatingIfNeeded: order.clientOrderID.rawValue) & mask)
        p.pointee = ManagedOrder(
            clientOrderID: order.clientOrderID, orderID: OrderID(rawValue: 0), instrument: order.instrumentID, side: order.side, state: .pendingNew,
            price: order.price, quantity: order.quantity, filled: Quantity(rawValue: 0), leaves: order.quantity, replaces: ClientOrderID(rawValue: 0),
            created: order.timestamp)
        tracked += 1
        openCount += 1
    }

    /// Marks `original` pending cancel. False if it is not open.
    @discardableResult
    public func cancelRequested(_ original: ClientOrderID) -> Bool {
        guard let p = slot(original), p.pointee.isOpen else { return false }
        p.pointee.state = .pendingCancel
        return true
    }

    /// Tracks the replacement `replace` of an open order (the original goes pending replace).
    /// The caller checked `canTrack(replace.clientOrderID)`.
    public func replaceRequested(_ replace: ReplaceOrder) {
        guard let original = slot(replace.originalClientOrderID), original.pointee.isOpen else { return }
        original.pointee.state = .pendingReplace
        let p = slots + (Int(truncatingIfNeeded: replace.clientOrderID.rawValue) & mask)
        p.pointee = ManagedOrder(
            clientOrderID: replace.clientOrderID, orderID: original.pointee.orderID, instrument: replace.instrumentID, side: replace.side,
            state: .pendingNew, price: replace.price, quantity: replace.quantity, filled: Quantity(rawValue: 0), leaves: Quantity(rawValue: 0),
            replaces: replace.originalClientOrderID, created: replace.timestamp)
        tracked += 1
    }

    /// Applies a venue report; returns what it did.
    @discardableResult
    public func apply(_ event: OrderEvent) -> OrderUpdate {
        let u = update(event)
        outcomes[Int(u.rawValue)] &+= 1
        return u
    }

    func update(_ event: OrderEvent) -> OrderUpdate {
        switch event {
        case .newOrder, .cancelOrder, .replaceOrder:
            return .stale
        case .accepted(let a):
            guard let p = slot(a.clientOrderID) else { return .unknownOrder }
            if p.pointee.orderID.rawValue == 0 { p.pointee.orderID = a.orderID }
            guard p.pointee.state == .pendingNew, p.pointee.replaces.rawValue == 0 else {
                // An ack for an order already canceling (or filled) moves nothing.
                return p.pointee.state == .new ? .duplicate : .stale
            }
            p.pointee.state = .new
            return .applied
        case .rejected(let r):
            guard let p = slot(r.clientOrderID) else { return .unknownOrder }
            guard p.pointee.state == .pendingNew || p.pointee.state == .pendingCancel && p.pointee.filled.rawValue == 0 else {
                return p.pointee.state == .rejected ? .duplicate : .stale
            }
            close(p, .rejected)
            return .applied
        case .filled(let f):
            guard let p = slot(f.clientOrderID) else { return .unknownOrder }
            guard executions.insert(f.executionID.rawValue) else { return .duplicate }
            if p.pointee.orderID.rawValue == 0 { p.pointee.orderID = f.orderID }
            p.pointee.filled = Quantity(rawValue: p.pointee.filled.rawValue &+ f.quantity.rawValue)
            if p.pointee.state.isTerminal && p.pointee.state != .filled { return .lateFill }
            let leaves = max(p.pointee.quantity.rawValue &- p.pointee.filled.rawValue, 0)
            if leaves == 0 {
                close(p, .filled)
            } else {
                p.pointee.leaves = Quantity(rawValue: leaves)
                if p.pointee.state == .pendingNew || p.pointee.state == .new { p.pointee.state = .partiallyFilled }
            }
            return .applied
        case .cancelAccepted(let c):
            guard let p = slot(c.originalClientOrderID) ?? slot(c.clientOrderID) else { return .unknownOrder }
            guard !p.pointee.state.isTerminal else { return p.pointee.state == .canceled ? .duplicate : .stale }
            close(p, .canceled)
            return .applied
        case .cancelRejected(let r):
            guard let p = slot(r.originalClientOrderID) else { return .unknownOrder }
            guard p.pointee.state == .pendingCancel else { return .stale }
            p.pointee.state = p.pointee.filled.rawValue > 0 ? .partiallyFilled : .new
            return .applied
        case .replaceAccepted(let r):
            guard let n = slot(r.clientOrderID) else { return .unknownOrder }
            guard n.pointee.state == .pendingNew, n.pointee.replaces.rawValue != 0 else { return n.pointee.state == .pendingNew ? .stale : .duplicate }
            var carried = Quantity(rawValue: 0)
            if let o = slot(r.originalClientOrderID) {
                carried = o.pointee.filled
                if !o.pointee.state.isTerminal { close(o, .replaced) } else if o.pointee.state == .filled { close(n, .rejected); return .stale }
            }
            n.pointee.orderID = r.orderID
            n.pointee.price = r.price
            n.pointee.quantity = r.quantity
            n.pointee.filled = carried
            n.pointee.leaves = r.leavesQuantity
            n.pointee.state = carried.rawValue > 0 ? .partiallyFilled : .new
            openCount += 1
            if r.leavesQuantity.rawValue == 0 { close(n, .filled) }
            return .applied
        case .replaceRejected(let r):
            guard let n = slot(r.clientOrderID) else { return .unknownOrder }
            guard n.pointee.state == .pendingNew else { return .duplicate }
            n.pointee.state = .rejected
            if let o = slot(r.originalClientOrderID), o.pointee.state == .pendingReplace {
                o.pointee.state = o.pointee.filled.rawValue > 0 ? .partiallyFilled : .new
            }
            return .applied
        case .expired(let e):
            guard let p = slot(e.clientOrderID) ?? slot(e.originalClientOrderID) else { return .unknownOrder }
            guard !p.pointee.state.isTerminal else { return p.pointee.state == .expired ? .duplicate : .stale }
            close(p, .expired)
            return .applied
        }
    }

    @inline(__always)
    func close(_ p: UnsafeMutablePointer<ManagedOrder>, _ state: OrderState) {
        if !p.pointee.state.isTerminal && (p.pointee.replaces.rawValue == 0 || p.pointee.state != .pendingNew) { openCount -= 1 }
        p.pointee.state = state
        p.pointee.leaves = Quantity(rawValue: 0)
    }

    /// The open orders (for cancel-all, status and tests); allocates.
    public var openOrders: [ManagedOrder] {
        (0...mask).compactMap { slots[$0].clientOrderID.rawValue != 0 && slots[$0].isOpen && !(slots[$0].state == .pendingNew && slots[$0].replaces.rawValue != 0) ? slots[$0] : nil }
    }
}

extension ManagedOrder {
    @usableFromInline static let empty = ManagedOrder(
        clientOrderID: ClientOrderID(rawValue: 0), orderID: OrderID(rawValue: 0), instrument: InstrumentID(rawValue: 0), side: .buy, state: .canceled,
        price: Price(rawValue: 0), quantity: Quantity(rawValue: 0), filled: Quantity(rawValue: 0), leaves: Quantity(rawValue: 0),
        replaces: ClientOrderID(rawValue: 0), created: Timestamp(rawValue: 0))
}

/// The last `capacity` IDs inserted, for duplicate detection: an open-addressed set whose
/// entries are evicted in insertion order (a FIFO of the same size), so memory is fixed.
final class RecentIDs {
    let table: UnsafeMutablePointer<UInt64>
    let fifo: UnsafeMutablePointer<UInt64>
    let mask: Int
    let capacity: Int
    var head = 0
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        var n = 32
        while n < self.capacity * 2 { n <<= 1 }
        mask = n - 1
        table = .allocate(capacity: n)
        table.initialize(repeating: 0, count: n)
        fifo = .allocate(capacity: self.capacity)
        fifo.initialize(repeating: 0, count: self.capacity)
    }

    deinit {
        table.deallocate()
        fifo.deallocate()
    }

    @inline(__always)
    func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask }

    /// Inserts `id`; false if it is already present (0 is never stored and always "new").
    func insert(_ id: UInt64) -> Bool {
        if id == 0 { return true }
        var i = home(id)
        while table[i] != 0 {
            if table[i] == id { return false }
            i = (i + 1) & mask
        }
        if count == capacity { remove(fifo[head]) } else { count += 1 }
        table[i] = id
        fifo[head] = id
        head = (head + 1) % capacity
        return true
    }

    /// Backward-shift deletion keeps probe chains whole.
    func remove(_ id: UInt64) {
        var i = home(id)
        while table[i] != id {
            if table[i] == 0 { return }
            i = (i + 1) & mask
        }
        var j = i
        while true {
            j = (j + 1) & mask
            if table[j] == 0 { break }
            let h = home(table[j])
            // Move table[j] into the hole at i if its home is not in (i, j].
            if (j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)) {
                table[i] = table[j]
                i = j
            }
        }
        table[i] = 0
    }
}
