/// Record type codes (the `type` field of a record). The codes are part of the format: never
/// reuse or renumber one. `RiskPayload` encodes and decodes the payloads (docs/journal.md#payloads).
/// `riskDecision` is reserved and not written: a decision travels in its request's record.
public enum JournalEventType: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case sessionStart = 1
    case sessionEnd = 2
    case instrumentSession = 3
    case reconciling = 4
    case tradingDay = 5
    case newOrder = 10
    case cancelRequest = 11
    case replaceRequest = 12
    case accepted = 20
    case rejected = 21
    case filled = 22
    case cancelAccepted = 23
    case cancelRejected = 24
    case replaceAccepted = 25
    case replaceRejected = 26
    case expired = 27
    case riskDecision = 30
    case killTrip = 40
    case killReset = 41
    case killReducing = 42
    case killFlat = 43
    case anomaly = 44
    case limitChange = 50
    case quote = 60
    case fxRate = 61
    /// Records the fault tests and benchmarks write (`JournalTestPattern`).
    case test = 0xFFF0

    public var description: String {
        switch self {
        case .sessionStart: "session_start"
        case .sessionEnd: "session_end"
        case .instrumentSession: "instrument_session"
        case .reconciling: "reconciling"
        case .tradingDay: "trading_day"
        case .newOrder: "new_order"
        case .cancelRequest: "cancel_request"
        case .replaceRequest: "replace_request"
        case .accepted: "accepted"
        case .rejected: "rejected"
        case .filled: "filled"
        case .cancelAccepted: "cancel_accepted"
        case .cancelRejected: "cancel_rejected"
        case .replaceAccepted: "replace_accepted"
        case .replaceRejected: "replace_rejected"
        case .expired: "expired"
        case .riskDecision: "risk_decision"
        case .killTrip: "kill_trip"
        case .killReset: "kill_reset"
        case .killReducing: "kill_reducing"
        case .killFlat: "kill_flat"
        case .anomaly: "anomaly"
        case .limitChange: "limit_change"
        case .quote: "quote"
        case .fxRate: "fx_rate"
        case .test: "test"
        }
    }
}

/// Test record number `sequence`: type `.test`, timestamp `sequence` µs, and a deterministic
/// payload of 8 to 207 bytes (the sequence, then a pattern), so a reader can check every byte of
/// every record without a copy of what was written. The fault tests, `tern journal torture` and
/// the benchmarks write these.
public enum JournalTestPattern {
    public static func length(_ sequence: UInt64) -> Int { 8 + Int(sequence &* 7919 % 200) }

    public static func timestamp(_ sequence: UInt64) -> Int64 { Int64(truncatingIfNeeded: sequence) &* 1000 }

    @inline(__always)
    static func byte(_ sequence: UInt64, _ k: Int) -> UInt8 { UInt8(truncatingIfNeeded: sequence &+ UInt64(k) &* 31) }

    /// Appends the test record for the writer's next sequence; returns what `append` returns.
    public static func append(to writer: JournalWriter) -> UInt64 {
        let s = writer.sequenceOfNextAppend
        let n = length(s)
        return withUnsafeTemporaryAllocation(byteCount: n, alignment: 8) { raw in
            raw.storeBytes(of: s.littleEndian, as: UInt64.self)
            for k in 8..<n { raw[k] = byte(s, k) }
            return writer.append(type: JournalEventType.test.rawValue, timestamp: timestamp(s), payload: UnsafeRawBufferPointer(raw))
        }
    }

    /// Whether `record` has its sequence's test timestamp and payload.
    public static func matches(_ record: JournalRecord) -> Bool {
        let p = record.payload
        let s = record.sequence
        guard record.timestamp == timestamp(s), p.count == length(s), p.loadUnaligned(as: UInt64.self).littleEndian == s else { return false }
        for k in 8..<p.count where p[k] != byte(s, k) { return false }
        return true
    }
}
