import TernCore
public import TernRisk

// The payload encodings of the risk records (schema version 1). Every field little-endian, no
// padding, no alignment; strings are a u16 byte count and UTF-8. docs/journal.md#payloads lists
// each layout. The encoder writes into caller memory (nothing allocates on the engine thread);
// the decoder checks every length, enum value and string and throws `JournalError(.badPayload)`
// naming the record and the field.

/// Writes fields at increasing offsets into memory the caller sized with `RiskPayload.size`.
struct PayloadEncoder {
    let base: UnsafeMutableRawPointer
    var count = 0

    @inline(__always) mutating func u8(_ v: UInt8) {
        base.storeBytes(of: v, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }
    @inline(__always) mutating func u16(_ v: UInt16) {
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt16.self)
        count &+= 2
    }
    @inline(__always) mutating func u32(_ v: UInt32) {
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt32.self)
        count &+= 4
    }
    @inline(__always) mutating func u64(_ v: UInt64) {
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt64.self)
        count &+= 8
    }
    @inline(__always) mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    @inline(__always) mutating func i128(_ v: Int128) {
        u64(UInt64(truncatingIfNeeded: v))
        u64(UInt64(truncatingIfNeeded: v >> 64))
    }
    @inline(__always) mutating func bool(_ v: Bool) { u8(v ? 1 : 0) }
    /// The first `n` UTF-8 bytes of `s`.
    mutating func utf8(_ s: String, count n: Int) {
        var k = 0
        for b in s.utf8 {
            if k == n { break }
            base.storeBytes(of: b, toByteOffset: count + k, as: UInt8.self)
            k += 1
        }
        count &+= n
    }
    /// A u16 byte count and the string (cut at `RiskPayload.maxString`).
    mutating func string(_ s: String) {
        let n = RiskPayload.stringBytes(s)
        u16(UInt16(n))
        utf8(s, count: n)
    }
    /// A whole text that may be absent: present u8, u32 byte count, the text.
    mutating func text(_ s: String?) {
        bool(s != nil)
        let n = s?.utf8.count ?? 0
        u32(UInt32(n))
        utf8(s ?? "", count: n)
    }
}

/// Reads fields in order from a payload; every read checks the length.
struct PayloadDecoder {
    let bytes: UnsafeRawBufferPointer
    let record: JournalRecord
    var at = 0

    init(_ record: JournalRecord) {
        self.record = record
        bytes = record.payload
    }

    func fail(_ field: String, _ message: String) -> JournalError {
        JournalError(
            .badPayload, file: JournalFormat.segmentName(record.segment), offset: record.offset, sequence: record.sequence,
            "\(JournalEventType(rawValue: record.type)?.description ?? "type \(record.type)") record, field \(field): \(message)")
    }

    mutating func take(_ n: Int, _ field: String) throws(JournalError) -> Int {
        guard bytes.count - at >= n else { throw fail(field, "the payload ends after \(bytes.count) bytes") }
        defer { at += n }
        return at
    }
    mutating func u8(_ f: String) throws(JournalError) -> UInt8 { bytes[try take(1, f)] }
    mutating func u16(_ f: String) throws(JournalError) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(2, f), as: UInt16.self))
    }
    mutating func u32(_ f: String) throws(JournalError) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4, f), as: UInt32.self))
    }
    mutating func u64(_ f: String) throws(JournalError) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8, f), as: UInt64.self))
    }
    mutating func i64(_ f: String) throws(JournalError) -> Int64 { Int64(bitPattern: try u64(f)) }
    mutating func i128(_ f: String) throws(JournalError) -> Int128 {
        let lo = try u64(f)
        let hi = try u64(f)
        return Int128(Int64(bitPattern: hi)) << 64 | Int128(lo)
    }
    mutating func bool(_ f: String) throws(JournalError) -> Bool {
        let v = try u8(f)
        guard v <= 1 else { throw fail(f, "\(v) is not 0 or 1") }
        return v == 1
    }
    mutating func utf8(_ n: Int, _ f: String) throws(JournalError) -> String {
        let start = try take(n, f)
        guard let s = String(validating: bytes[start..<start + n], as: UTF8.self) else { throw fail(f, "not valid UTF-8") }
        return s
    }
    mutating func string(_ f: String) throws(JournalError) -> String { try utf8(Int(try u16(f)), f) }
    mutating func text(_ f: String) throws(JournalError) -> String? {
        let present = try bool(f)
        let s = try utf8(Int(try u32(f)), f)
        return present ? s : nil
    }
    mutating func raw<T: RawRepresentable>(_ type: T.Type, _ f: String) throws(JournalError) -> T where T.RawValue == UInt8 {
        let v = try u8(f)
        guard let t = T(rawValue: v) else { throw fail(f, "unknown value \(v)") }
        return t
    }
    func end() throws(JournalError) {
        guard at == bytes.count else { throw fail("end", "\(bytes.count - at) bytes after the last field") }
    }

    // Typed fields.
    mutating func price(_ f: String) throws(JournalError) -> Price { Price(rawValue: try i64(f)) }
    mutating func quantity(_ f: String) throws(JournalError) -> Quantity { Quantity(rawValue: try i64(f)) }
    mutating func time(_ f: String) throws(JournalError) -> Timestamp { Timestamp(rawValue: try i64(f)) }
    mutating func clientOrderID(_ f: String) throws(JournalError) -> ClientOrderID { ClientOrderID(rawValue: try u64(f)) }
    mutating func instrument(_ f: String = "instrument") throws(JournalError) -> InstrumentID { InstrumentID(rawValue: try u32(f)) }
    mutating func account(_ f: String = "account") throws(JournalError) -> AccountID { AccountID(rawValue: try u32(f)) }
    mutating func strategy(_ f: String = "strategy") throws(JournalError) -> StrategyID { StrategyID(rawValue: try u32(f)) }
    mutating func side(_ f: String = "side") throws(JournalError) -> Side { try raw(Side.self, f) }
}

/// A session marker: the start of a journaled engine's life (with the configuration it ran) or
/// its clean end (with its state digest, for `tern journal replay` to check against).
public enum RiskSessionMarker: Hashable, Sendable {
    /// `fingerprint` identifies the configuration; `limits` and `instruments` are its files'
    /// text when the journal was opened with them (so a replay needs nothing else).
    case start(fingerprint: UInt64, version: String, limits: String?, instruments: String?)
    /// The live engine's `stateDigest`, last approval sequence and event count at the end.
    case end(digest: UInt64, lastSequence: UInt64, events: Int)
}

/// One decoded journal entry of a risk journal.
public enum RiskJournalEntry: Hashable, Sendable {
    case record(RiskRecord)
    case marker(RiskSessionMarker)
}

/// Encoding and decoding of risk records.
public enum RiskPayload {
    /// Strings are cut at this many UTF-8 bytes (at a character boundary).
    public static let maxString = 4096

    static func stringBytes(_ s: String) -> Int {
        let n = s.utf8.count
        if n <= maxString { return n }
        var cut = maxString
        let u = Array(s.utf8)
        while cut > 0, u[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut
    }

    /// The record type of `record`.
    public static func type(_ record: RiskRecord) -> JournalEventType {
        switch record {
        case .order: .newOrder
        case .replace: .replaceRequest
        case .cancel: .cancelRequest
        case .venue(let e):
            switch e {
            case .newOrder: .newOrder
            case .cancelOrder: .cancelRequest
            case .replaceOrder: .replaceRequest
            case .accepted: .accepted
            case .rejected: .rejected
            case .filled: .filled
            case .cancelAccepted: .cancelAccepted
            case .cancelRejected: .cancelRejected
            case .replaceAccepted: .replaceAccepted
            case .replaceRejected: .replaceRejected
            case .expired: .expired
            }
        case .externalFill: .filled
        case .quote: .quote
        case .fx: .fxRate
        case .session: .instrumentSession
        case .reconciling: .reconciling
        case .tradingDay: .tradingDay
        case .enabled: .limitChange
        case .event(let e, _):
            switch e {
            case .tripped: .killTrip
            case .reset: .killReset
            case .reducing: .killReducing
            case .flat: .killFlat
            case .anomaly: .anomaly
            }
        }
    }

    /// An upper bound of the bytes `encode` writes for `record`.
    public static func size(_ record: RiskRecord) -> Int {
        switch record {
        case .event(let e, _):
            switch e {
            case .tripped(_, _, let actor, let reason, _, _, _): 64 + stringBytes(actor) + stringBytes(reason)
            case .reset(_, let op, let reason, _), .reducing(_, let op, let reason, _): 64 + stringBytes(op) + stringBytes(reason)
            default: 64
            }
        case .enabled(_, _, let op): 16 + stringBytes(op)
        default: 128
        }
    }

    /// Writes `record`'s payload at `p` (at least `size(record)` bytes); returns the byte count.
    public static func encode(_ record: RiskRecord, into p: UnsafeMutableRawPointer) -> Int {
        var w = PayloadEncoder(base: p)
        if encodeFixed(record, &w) != nil { return w.count }
        switch record {
        case .enabled(let s, let on, let op):
            w.u8(LimitChange.strategyEnabled.rawValue)
            w.u32(s.rawValue)
            w.bool(on)
            w.string(op)
        case .event(let e, let origin):
            event(e, origin, &w)
        default:
            break
        }
        return w.count
    }

    /// Encodes the records without strings (at most 128 bytes) and returns their type; nil (and
    /// nothing written) for the others.
    @inline(__always)
    static func encodeFixed(_ record: RiskRecord, _ w: inout PayloadEncoder) -> JournalEventType? {
        switch record {
        case .order(let o, let d, let index, let count):
            order(o, d, index: index, count: count, &w)
        case .replace(let r, let d):
            replace(r, d, via: 0, &w)
        case .cancel(let c, let d):
            cancel(c, d, via: 0, &w)
        case .venue(let e):
            venue(e, &w)
        case .externalFill(let account, let f):
            w.bool(true)
            w.u32(account.rawValue)
            fill(f, &w)
        case .quote(let i, let bid, let ask, let last):
            w.u32(i.rawValue)
            w.i64(bid.rawValue)
            w.i64(ask.rawValue)
            w.bool(last != nil)
            w.i64(last?.rawValue ?? 0)
        case .fx(let currency, let rate):
            w.u64(currency.packedCode)
            w.u8(currency.minorUnitExponent)
            w.i64(rate.rawValue)
        case .session(let i, let state):
            w.u32(i.rawValue)
            w.u8(state.rawValue)
        case .reconciling(let on):
            w.bool(on)
        case .tradingDay:
            break
        case .enabled, .event:
            return nil
        }
        return type(record)
    }

    /// A new order; `count` 0 marks one passed to `apply` (which ignores requests).
    static func order(_ o: NewOrder, _ d: RiskDecision, index: Int, count: Int, _ w: inout PayloadEncoder) {
        w.u64(o.clientOrderID.rawValue)
        w.u32(o.instrumentID.rawValue)
        w.u32(o.accountID.rawValue)
        w.u32(o.strategyID.rawValue)
        w.u8(o.side.rawValue)
        w.u8(o.orderType.rawValue)
        w.u8(o.timeInForce.rawValue)
        w.u8(o.flags.rawValue)
        w.i64(o.price.rawValue)
        w.i64(o.stopPrice.rawValue)
        w.i64(o.quantity.rawValue)
        w.i64(o.expireTime.rawValue)
        w.i64(o.timestamp.rawValue)
        w.u16(UInt16(truncatingIfNeeded: index))
        w.u16(UInt16(truncatingIfNeeded: count))
        decision(d, &w)
    }

    /// A replace; `via` 1 marks one passed to `apply`.
    static func replace(_ r: ReplaceOrder, _ d: RiskDecision, via: UInt8, _ w: inout PayloadEncoder) {
        w.u64(r.clientOrderID.rawValue)
        w.u64(r.originalClientOrderID.rawValue)
        w.u32(r.instrumentID.rawValue)
        w.u32(r.accountID.rawValue)
        w.u8(r.side.rawValue)
        w.i64(r.price.rawValue)
        w.i64(r.quantity.rawValue)
        w.i64(r.timestamp.rawValue)
        decision(d, &w)
        w.u8(via)
    }

    /// A cancel; `via` 1 marks one passed to `apply`.
    static func cancel(_ c: CancelOrder, _ d: RiskDecision, via: UInt8, _ w: inout PayloadEncoder) {
        w.u64(c.clientOrderID.rawValue)
        w.u64(c.originalClientOrderID.rawValue)
        w.u32(c.instrumentID.rawValue)
        w.u32(c.accountID.rawValue)
        w.u8(c.side.rawValue)
        w.i64(c.timestamp.rawValue)
        decision(d, &w)
        w.u8(via)
    }

    static func event(_ e: RiskEvent, _ origin: RiskEventOrigin, _ w: inout PayloadEncoder) {
        w.u8(origin.rawValue)
        switch e {
        case .tripped(let scope, let cause, let actor, let reason, let at, let seq, let cancels):
            self.scope(scope, &w)
            w.u8(cause.rawValue)
            w.i64(at.rawValue)
            w.u64(seq)
            w.u32(UInt32(clamping: cancels))
            w.string(actor)
            w.string(reason)
        case .reset(let scope, let op, let reason, let at), .reducing(let scope, let op, let reason, let at):
            self.scope(scope, &w)
            w.i64(at.rawValue)
            w.string(op)
            w.string(reason)
        case .flat(let scope, let at):
            self.scope(scope, &w)
            w.i64(at.rawValue)
        case .anomaly(let kind, let id, let instrument, let at):
            w.u8(kind.rawValue)
            w.u64(id.rawValue)
            w.u32(instrument.rawValue)
            w.i64(at.rawValue)
        }
    }

    /// Limit-change kinds (the first byte of a `limit_change` payload).
    enum LimitChange: UInt8 {
        case strategyEnabled = 1
    }

    @inline(__always)
    static func decision(_ d: RiskDecision, _ w: inout PayloadEncoder) {
        w.u16(d.reason.rawValue)
        w.u8(d.limit.rawValue)
        w.i128(d.limitValue)
        w.i128(d.value)
        w.u64(d.sequence)
    }

    static func scope(_ s: KillScope, _ w: inout PayloadEncoder) {
        switch s {
        case .firm:
            w.u8(0)
            w.u32(0)
            w.u8(0)
        case .account(let id):
            w.u8(1)
            w.u32(id.rawValue)
            w.u8(0)
        case .strategy(let id):
            w.u8(2)
            w.u32(id.rawValue)
            w.u8(0)
        case .instrument(let id):
            w.u8(3)
            w.u32(id.rawValue)
            w.u8(0)
        case .side(let id, let side):
            w.u8(4)
            w.u32(id.rawValue)
            w.u8(side.rawValue)
        }
    }

    static func fill(_ f: Fill, _ w: inout PayloadEncoder) {
        w.u64(f.clientOrderID.rawValue)
        w.u64(f.orderID.rawValue)
        w.u64(f.executionID.rawValue)
        w.u32(f.instrumentID.rawValue)
        w.u8(f.side.rawValue)
        w.u8(f.liquidity.rawValue)
        w.i64(f.price.rawValue)
        w.i64(f.quantity.rawValue)
        w.i64(f.leavesQuantity.rawValue)
        w.i64(f.timestamp.rawValue)
        w.i128(f.fee.rawValue)
    }

    static func rejected(_ r: RequestRejected, _ w: inout PayloadEncoder) {
        w.u64(r.clientOrderID.rawValue)
        w.u64(r.originalClientOrderID.rawValue)
        w.u32(r.instrumentID.rawValue)
        w.u16(r.reason.rawValue)
        w.u8(r.origin.rawValue)
        w.i64(r.timestamp.rawValue)
    }

    static func closed(_ c: OrderClosed, _ w: inout PayloadEncoder) {
        w.u64(c.clientOrderID.rawValue)
        w.u64(c.originalClientOrderID.rawValue)
        w.u64(c.orderID.rawValue)
        w.u32(c.instrumentID.rawValue)
        w.i64(c.closedQuantity.rawValue)
        w.i64(c.timestamp.rawValue)
    }

    static func venue(_ e: OrderEvent, _ w: inout PayloadEncoder) {
        switch e {
        case .accepted(let a):
            w.u64(a.clientOrderID.rawValue)
            w.u64(a.orderID.rawValue)
            w.u32(a.instrumentID.rawValue)
            w.i64(a.timestamp.rawValue)
        case .rejected(let r), .cancelRejected(let r), .replaceRejected(let r):
            rejected(r, &w)
        case .filled(let f):
            w.bool(false)
            w.u32(0)
            fill(f, &w)
        case .cancelAccepted(let c), .expired(let c):
            closed(c, &w)
        case .replaceAccepted(let r):
            w.u64(r.clientOrderID.rawValue)
            w.u64(r.originalClientOrderID.rawValue)
            w.u64(r.orderID.rawValue)
            w.u32(r.instrumentID.rawValue)
            w.i64(r.price.rawValue)
            w.i64(r.quantity.rawValue)
            w.i64(r.leavesQuantity.rawValue)
            w.i64(r.timestamp.rawValue)
        // Requests go through submit…; `apply` ignores them, but they are recorded all the same.
        case .newOrder(let o): order(o, RiskDecision(reason: RejectReason(rawValue: 0), limit: .none), index: 0, count: 0, &w)
        case .cancelOrder(let c): cancel(c, RiskDecision(reason: RejectReason(rawValue: 0), limit: .none), via: 1, &w)
        case .replaceOrder(let r): replace(r, RiskDecision(reason: RejectReason(rawValue: 0), limit: .none), via: 1, &w)
        }
    }

    // MARK: Markers

    /// An upper bound of the bytes `encode` writes for `marker`.
    public static func size(_ marker: RiskSessionMarker) -> Int {
        guard case .start(_, let v, let l, let i) = marker else { return 24 }
        return 32 + v.utf8.count + (l?.utf8.count ?? 0) + (i?.utf8.count ?? 0)
    }

    /// Writes a session marker's payload at `p` (at least `size(marker)` bytes); returns its type
    /// and byte count.
    public static func encode(_ marker: RiskSessionMarker, into p: UnsafeMutableRawPointer) -> (JournalEventType, Int) {
        var w = PayloadEncoder(base: p)
        switch marker {
        case .start(let fingerprint, let version, let limits, let instruments):
            w.u64(fingerprint)
            w.string(version)
            w.text(limits)
            w.text(instruments)
            return (.sessionStart, w.count)
        case .end(let digest, let last, let events):
            w.u64(digest)
            w.u64(last)
            w.u64(UInt64(events))
            return (.sessionEnd, w.count)
        }
    }

    // MARK: Decoding

    /// Decodes a risk journal record; nil for a type that is not a risk record (test records).
    public static func decode(_ record: JournalRecord) throws(JournalError) -> RiskJournalEntry? {
        guard let type = JournalEventType(rawValue: record.type) else {
            throw JournalError(
                .badPayload, file: JournalFormat.segmentName(record.segment), offset: record.offset, sequence: record.sequence,
                "unknown record type \(record.type)")
        }
        var r = PayloadDecoder(record)
        let entry: RiskJournalEntry?
        switch type {
        case .test, .riskDecision: return nil
        case .sessionStart:
            let fingerprint = try r.u64("fingerprint")
            let version = try r.string("version")
            let limits = try r.text("limits")
            entry = .marker(.start(fingerprint: fingerprint, version: version, limits: limits, instruments: try r.text("instruments")))
        case .sessionEnd:
            entry = .marker(.end(digest: try r.u64("digest"), lastSequence: try r.u64("last_sequence"), events: Int(clamping: try r.u64("events"))))
        case .newOrder:
            let id = try r.clientOrderID("client_order_id")
            let instrument = try r.instrument()
            let account = try r.account()
            let strategy = try r.strategy()
            let side = try r.side()
            let orderType = try r.raw(OrderType.self, "order_type")
            let tif = try r.raw(TimeInForce.self, "time_in_force")
            let flags = OrderFlags(rawValue: try r.u8("flags"))
            let price = try r.price("price")
            let stop = try r.price("stop_price")
            let qty = try r.quantity("quantity")
            let expire = try r.time("expire_time")
            let time = try r.time("timestamp")
            let index = Int(try r.u16("list_index"))
            let count = Int(try r.u16("list_count"))
            guard count == 0 ? index == 0 : index < count else { throw r.fail("list_index", "item \(index) of a list of \(count)") }
            let o = NewOrder(
                clientOrderID: id, instrumentID: instrument, accountID: account, strategyID: strategy, side: side, orderType: orderType,
                timeInForce: tif, flags: flags, price: price, stopPrice: stop, quantity: qty, expireTime: expire, timestamp: time)
            let d = try decision(&r)
            entry = .record(count == 0 ? .venue(.newOrder(o)) : .order(o, d, index: index, count: count))
        case .replaceRequest:
            let rep = ReplaceOrder(
                clientOrderID: try r.clientOrderID("client_order_id"), originalClientOrderID: try r.clientOrderID("original_client_order_id"),
                instrumentID: try r.instrument(), accountID: try r.account(), side: try r.side(), price: try r.price("price"),
                quantity: try r.quantity("quantity"), timestamp: try r.time("timestamp"))
            let d = try decision(&r)
            entry = .record(try r.bool("via_apply") ? .venue(.replaceOrder(rep)) : .replace(rep, d))
        case .cancelRequest:
            let c = CancelOrder(
                clientOrderID: try r.clientOrderID("client_order_id"), originalClientOrderID: try r.clientOrderID("original_client_order_id"),
                instrumentID: try r.instrument(), accountID: try r.account(), side: try r.side(), timestamp: try r.time("timestamp"))
            let d = try decision(&r)
            entry = .record(try r.bool("via_apply") ? .venue(.cancelOrder(c)) : .cancel(c, d))
        case .accepted:
            entry = .record(.venue(.accepted(OrderAccepted(
                clientOrderID: try r.clientOrderID("client_order_id"), orderID: OrderID(rawValue: try r.u64("order_id")),
                instrumentID: try r.instrument(), timestamp: try r.time("timestamp")))))
        case .rejected: entry = .record(.venue(.rejected(try rejected(&r))))
        case .cancelRejected: entry = .record(.venue(.cancelRejected(try rejected(&r))))
        case .replaceRejected: entry = .record(.venue(.replaceRejected(try rejected(&r))))
        case .filled:
            let external = try r.bool("external")
            let account = try r.account()
            let f = try fill(&r)
            entry = .record(external ? .externalFill(account, f) : .venue(.filled(f)))
        case .cancelAccepted: entry = .record(.venue(.cancelAccepted(try closed(&r))))
        case .expired: entry = .record(.venue(.expired(try closed(&r))))
        case .replaceAccepted:
            entry = .record(.venue(.replaceAccepted(ReplaceAccepted(
                clientOrderID: try r.clientOrderID("client_order_id"), originalClientOrderID: try r.clientOrderID("original_client_order_id"),
                orderID: OrderID(rawValue: try r.u64("order_id")), instrumentID: try r.instrument(), price: try r.price("price"),
                quantity: try r.quantity("quantity"), leavesQuantity: try r.quantity("leaves_quantity"), timestamp: try r.time("timestamp")))))
        case .quote:
            let i = try r.instrument()
            let bid = try r.price("bid")
            let ask = try r.price("ask")
            let hasLast = try r.bool("has_last")
            let last = try r.price("last")
            entry = .record(.quote(i, bid: bid, ask: ask, last: hasLast ? last : nil))
        case .fxRate:
            let packed = try r.u64("currency")
            let exponent = try r.u8("currency_exponent")
            guard let currency = Currency(packedCode: packed, minorUnitExponent: exponent) else {
                throw r.fail("currency", "not a currency: packed code \(packed), exponent \(exponent)")
            }
            entry = .record(.fx(currency, rate: try r.price("rate")))
        case .instrumentSession:
            entry = .record(.session(try r.instrument(), try r.raw(SessionState.self, "state")))
        case .reconciling:
            entry = .record(.reconciling(try r.bool("reconciling")))
        case .tradingDay:
            entry = .record(.tradingDay)
        case .limitChange:
            let kind = try r.u8("kind")
            guard kind == LimitChange.strategyEnabled.rawValue else { throw r.fail("kind", "unknown limit change \(kind)") }
            entry = .record(.enabled(try r.strategy(), try r.bool("enabled"), operator: try r.string("operator")))
        case .killTrip, .killReset, .killReducing, .killFlat, .anomaly:
            let origin = try r.raw(RiskEventOrigin.self, "origin")
            let event: RiskEvent
            switch type {
            case .killTrip:
                let s = try scope(&r)
                let cause = try r.raw(KillCause.self, "cause")
                let at = try r.time("at")
                let seq = try r.u64("last_approved_sequence")
                let cancels = Int(try r.u32("cancels"))
                event = .tripped(scope: s, cause: cause, actor: try r.string("actor"), reason: try r.string("reason"), at: at, lastApprovedSequence: seq, cancels: cancels)
            case .killReset, .killReducing:
                let s = try scope(&r)
                let at = try r.time("at")
                let op = try r.string("operator")
                let reason = try r.string("reason")
                event = type == .killReset ? .reset(scope: s, operator: op, reason: reason, at: at) : .reducing(scope: s, operator: op, reason: reason, at: at)
            case .killFlat:
                event = .flat(scope: try scope(&r), at: try r.time("at"))
            default:
                event = .anomaly(
                    kind: try r.raw(RiskAnomaly.self, "kind"), clientOrderID: try r.clientOrderID("client_order_id"), instrumentID: try r.instrument(),
                    at: try r.time("at"))
            }
            entry = .record(.event(event, origin))
        }
        try r.end()
        return entry
    }

    static func decision(_ r: inout PayloadDecoder) throws(JournalError) -> RiskDecision {
        let reason = RejectReason(rawValue: try r.u16("reason"))
        let limit = try r.raw(RiskLimit.self, "limit")
        return RiskDecision(reason: reason, limit: limit, limitValue: try r.i128("limit_value"), value: try r.i128("value"), sequence: try r.u64("sequence"))
    }

    static func scope(_ r: inout PayloadDecoder) throws(JournalError) -> KillScope {
        let kind = try r.u8("scope")
        let id = try r.u32("scope_id")
        let side = try r.u8("scope_side")
        switch kind {
        case 0: return .firm
        case 1: return .account(AccountID(rawValue: id))
        case 2: return .strategy(StrategyID(rawValue: id))
        case 3: return .instrument(InstrumentID(rawValue: id))
        case 4:
            guard let s = Side(rawValue: side) else { throw r.fail("scope_side", "unknown value \(side)") }
            return .side(InstrumentID(rawValue: id), s)
        default: throw r.fail("scope", "unknown scope kind \(kind)")
        }
    }

    static func fill(_ r: inout PayloadDecoder) throws(JournalError) -> Fill {
        let id = try r.clientOrderID("client_order_id")
        let orderID = OrderID(rawValue: try r.u64("order_id"))
        let exec = ExecutionID(rawValue: try r.u64("execution_id"))
        let instrument = try r.instrument()
        let side = try r.side()
        let liquidity = try r.raw(Liquidity.self, "liquidity")
        let price = try r.price("price")
        let qty = try r.quantity("quantity")
        let leaves = try r.quantity("leaves_quantity")
        let time = try r.time("timestamp")
        let fee = Money(rawValue: try r.i128("fee"))
        return Fill(
            clientOrderID: id, orderID: orderID, executionID: exec, instrumentID: instrument, side: side, liquidity: liquidity, price: price,
            quantity: qty, leavesQuantity: leaves, fee: fee, timestamp: time)
    }

    static func rejected(_ r: inout PayloadDecoder) throws(JournalError) -> RequestRejected {
        RequestRejected(
            clientOrderID: try r.clientOrderID("client_order_id"), originalClientOrderID: try r.clientOrderID("original_client_order_id"),
            instrumentID: try r.instrument(), reason: RejectReason(rawValue: try r.u16("reason")), origin: try r.raw(RejectOrigin.self, "origin"),
            timestamp: try r.time("timestamp"))
    }

    static func closed(_ r: inout PayloadDecoder) throws(JournalError) -> OrderClosed {
        OrderClosed(
            clientOrderID: try r.clientOrderID("client_order_id"), originalClientOrderID: try r.clientOrderID("original_client_order_id"),
            orderID: OrderID(rawValue: try r.u64("order_id")), instrumentID: try r.instrument(), closedQuantity: try r.quantity("closed_quantity"),
            timestamp: try r.time("timestamp"))
    }
}
