/// Record type codes (the `type` field of a record). The codes are part of the format: never
/// reuse or renumber one. The payload encodings of the order-event and risk types are not written
/// yet (issue 6 continues); the codes are reserved so journals written now stay readable.
public enum JournalEventType: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case sessionStart = 1
    case sessionEnd = 2
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
    case limitChange = 50
    case quote = 60
    /// Records the fault tests and benchmarks write (`JournalTestPattern`).
    case test = 0xFFF0

    public var description: String {
        switch self {
        case .sessionStart: "session_start"
        case .sessionEnd: "session_end"
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
        case .limitChange: "limit_change"
        case .quote: "quote"
        case .test: "test"
        }
    }
}

/// The deterministic payload of test record `sequence` (8 to 207 bytes: the sequence, then a
/// pattern), so a reader can check every byte of every record without a copy of what was written.
public enum JournalTestPattern {
    public static func length(_ sequence: UInt64) -> Int { 8 + Int(sequence &* 7919 % 200) }

    /// Writes the payload into `buffer` (at least 207 bytes) and returns its length.
    public static func fill(_ buffer: inout [UInt8], sequence: UInt64) -> Int {
        let n = length(sequence)
        buffer.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: sequence.littleEndian, as: UInt64.self)
            for k in 8..<n { raw[k] = UInt8(truncatingIfNeeded: sequence &+ UInt64(k) &* 31) }
        }
        return n
    }

    /// Whether `payload` is test record `sequence`'s.
    public static func matches(_ payload: UnsafeRawBufferPointer, sequence: UInt64) -> Bool {
        guard payload.count == length(sequence), payload.loadUnaligned(as: UInt64.self).littleEndian == sequence else { return false }
        for k in 8..<payload.count where payload[k] != UInt8(truncatingIfNeeded: sequence &+ UInt64(k) &* 31) { return false }
        return true
    }
}
