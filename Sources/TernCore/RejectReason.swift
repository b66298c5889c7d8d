/// Why an order, cancel or replace was refused: a stable `UInt16` code.
///
/// Codes are grouped by hundreds: 1xx request validity, 2xx limits, 3xx state and throttles,
/// 4xx venue, 9xx engine. A code never changes meaning once released; new refusals get new codes.
/// docs/reason-codes.md lists them. An open struct rather than an enum, so a venue adapter can carry
/// a code Tern does not name (`description` then prints the number).
@frozen
public struct RejectReason: RawRepresentable, Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    // 1xx: the request itself.
    @inlinable public static var unknownInstrument: RejectReason { RejectReason(rawValue: 101) }
    @inlinable public static var unknownAccount: RejectReason { RejectReason(rawValue: 102) }
    @inlinable public static var instrumentInvalid: RejectReason { RejectReason(rawValue: 103) }
    @inlinable public static var priceNotOnTick: RejectReason { RejectReason(rawValue: 104) }
    @inlinable public static var priceInvalid: RejectReason { RejectReason(rawValue: 105) }
    @inlinable public static var quantityInvalid: RejectReason { RejectReason(rawValue: 106) }
    @inlinable public static var quantityNotOnLot: RejectReason { RejectReason(rawValue: 107) }
    @inlinable public static var quantityBelowMinimum: RejectReason { RejectReason(rawValue: 108) }
    @inlinable public static var quantityAboveMaximum: RejectReason { RejectReason(rawValue: 109) }
    @inlinable public static var notionalOverflow: RejectReason { RejectReason(rawValue: 110) }
    @inlinable public static var duplicateClientOrderID: RejectReason { RejectReason(rawValue: 111) }
    @inlinable public static var unknownOrder: RejectReason { RejectReason(rawValue: 112) }
    @inlinable public static var unsupportedOrderType: RejectReason { RejectReason(rawValue: 113) }
    @inlinable public static var duplicateOrder: RejectReason { RejectReason(rawValue: 114) }
    @inlinable public static var expireTimeInvalid: RejectReason { RejectReason(rawValue: 115) }
    @inlinable public static var unsupportedTimeInForce: RejectReason { RejectReason(rawValue: 116) }
    @inlinable public static var unknownStrategy: RejectReason { RejectReason(rawValue: 117) }
    @inlinable public static var restrictedInstrument: RejectReason { RejectReason(rawValue: 118) }
    @inlinable public static var notPermitted: RejectReason { RejectReason(rawValue: 119) }
    @inlinable public static var clientOrderIDInvalid: RejectReason { RejectReason(rawValue: 120) }
    @inlinable public static var orderListRejected: RejectReason { RejectReason(rawValue: 121) }
    // 2xx: limits.
    @inlinable public static var notionalAboveMaximum: RejectReason { RejectReason(rawValue: 201) }
    @inlinable public static var priceOutsideBand: RejectReason { RejectReason(rawValue: 202) }
    @inlinable public static var positionLimit: RejectReason { RejectReason(rawValue: 203) }
    @inlinable public static var exposureLimit: RejectReason { RejectReason(rawValue: 204) }
    @inlinable public static var lossLimit: RejectReason { RejectReason(rawValue: 205) }
    @inlinable public static var openOrderLimit: RejectReason { RejectReason(rawValue: 206) }
    @inlinable public static var noReferencePrice: RejectReason { RejectReason(rawValue: 207) }
    @inlinable public static var staleReferencePrice: RejectReason { RejectReason(rawValue: 208) }
    @inlinable public static var selfMatch: RejectReason { RejectReason(rawValue: 209) }
    @inlinable public static var workingValueLimit: RejectReason { RejectReason(rawValue: 210) }
    @inlinable public static var creditLimit: RejectReason { RejectReason(rawValue: 211) }
    @inlinable public static var referencePriceInvalid: RejectReason { RejectReason(rawValue: 212) }
    @inlinable public static var priceDriftLimit: RejectReason { RejectReason(rawValue: 213) }
    /// An account or firm money limit needs a foreign currency's rate, and there is none or it is stale.
    @inlinable public static var fxRateUnavailable: RejectReason { RejectReason(rawValue: 214) }
    // 3xx: state and throttles.
    @inlinable public static var killSwitchHalted: RejectReason { RejectReason(rawValue: 301) }
    @inlinable public static var reduceOnlyViolation: RejectReason { RejectReason(rawValue: 302) }
    @inlinable public static var rateLimited: RejectReason { RejectReason(rawValue: 303) }
    @inlinable public static var strategyDisabled: RejectReason { RejectReason(rawValue: 304) }
    @inlinable public static var marketClosed: RejectReason { RejectReason(rawValue: 305) }
    @inlinable public static var reconciling: RejectReason { RejectReason(rawValue: 306) }
    // 4xx: the venue.
    @inlinable public static var venueRejected: RejectReason { RejectReason(rawValue: 401) }
    @inlinable public static var venueTooLateToCancel: RejectReason { RejectReason(rawValue: 402) }
    @inlinable public static var venueUnavailable: RejectReason { RejectReason(rawValue: 403) }
    // 9xx: the engine.
    @inlinable public static var queueFull: RejectReason { RejectReason(rawValue: 901) }
    @inlinable public static var capacityExhausted: RejectReason { RejectReason(rawValue: 902) }
    @inlinable public static var internalError: RejectReason { RejectReason(rawValue: 999) }

    /// Every code Tern names, in code order.
    public static let known: [RejectReason] = [
        .unknownInstrument, .unknownAccount, .instrumentInvalid, .priceNotOnTick, .priceInvalid,
        .quantityInvalid, .quantityNotOnLot, .quantityBelowMinimum, .quantityAboveMaximum, .notionalOverflow,
        .duplicateClientOrderID, .unknownOrder, .unsupportedOrderType, .duplicateOrder, .expireTimeInvalid,
        .unsupportedTimeInForce, .unknownStrategy, .restrictedInstrument, .notPermitted, .clientOrderIDInvalid,
        .orderListRejected,
        .notionalAboveMaximum, .priceOutsideBand, .positionLimit, .exposureLimit, .lossLimit, .openOrderLimit,
        .noReferencePrice, .staleReferencePrice, .selfMatch, .workingValueLimit, .creditLimit,
        .referencePriceInvalid, .priceDriftLimit, .fxRateUnavailable,
        .killSwitchHalted, .reduceOnlyViolation, .rateLimited, .strategyDisabled, .marketClosed, .reconciling,
        .venueRejected, .venueTooLateToCancel, .venueUnavailable,
        .queueFull, .capacityExhausted, .internalError,
    ]

    /// The stable name (`PRICE_NOT_ON_TICK`), or `REASON_<code>` for a code Tern does not name.
    public var name: String {
        switch rawValue {
        case 101: "UNKNOWN_INSTRUMENT"
        case 102: "UNKNOWN_ACCOUNT"
        case 103: "INSTRUMENT_INVALID"
        case 104: "PRICE_NOT_ON_TICK"
        case 105: "PRICE_INVALID"
        case 106: "QUANTITY_INVALID"
        case 107: "QUANTITY_NOT_ON_LOT"
        case 108: "QUANTITY_BELOW_MINIMUM"
        case 109: "QUANTITY_ABOVE_MAXIMUM"
        case 110: "NOTIONAL_OVERFLOW"
        case 111: "DUPLICATE_CLIENT_ORDER_ID"
        case 112: "UNKNOWN_ORDER"
        case 113: "UNSUPPORTED_ORDER_TYPE"
        case 114: "DUPLICATE_ORDER"
        case 115: "EXPIRE_TIME_INVALID"
        case 116: "UNSUPPORTED_TIME_IN_FORCE"
        case 117: "UNKNOWN_STRATEGY"
        case 118: "RESTRICTED_INSTRUMENT"
        case 119: "NOT_PERMITTED"
        case 120: "CLIENT_ORDER_ID_INVALID"
        case 121: "ORDER_LIST_REJECTED"
        case 201: "NOTIONAL_ABOVE_MAXIMUM"
        case 202: "PRICE_OUTSIDE_BAND"
        case 203: "POSITION_LIMIT"
        case 204: "EXPOSURE_LIMIT"
        case 205: "LOSS_LIMIT"
        case 206: "OPEN_ORDER_LIMIT"
        case 207: "NO_REFERENCE_PRICE"
        case 208: "STALE_REFERENCE_PRICE"
        case 209: "SELF_MATCH"
        case 210: "WORKING_VALUE_LIMIT"
        case 211: "CREDIT_LIMIT"
        case 212: "REFERENCE_PRICE_INVALID"
        case 213: "PRICE_DRIFT_LIMIT"
        case 214: "FX_RATE_UNAVAILABLE"
        case 301: "KILL_SWITCH_HALTED"
        case 302: "REDUCE_ONLY_VIOLATION"
        case 303: "RATE_LIMITED"
        case 304: "STRATEGY_DISABLED"
        case 305: "MARKET_CLOSED"
        case 306: "RECONCILING"
        case 401: "VENUE_REJECTED"
        case 402: "VENUE_TOO_LATE_TO_CANCEL"
        case 403: "VENUE_UNAVAILABLE"
        case 901: "QUEUE_FULL"
        case 902: "CAPACITY_EXHAUSTED"
        case 999: "INTERNAL_ERROR"
        default: "REASON_\(rawValue)"
        }
    }

    public var description: String { "\(name) (\(rawValue))" }
}

/// Who refused a request.
@frozen
public enum RejectOrigin: UInt8, Sendable, BitwiseCopyable, Hashable, CustomStringConvertible {
    /// Tern's pre-trade risk checks (nothing reached the venue).
    case risk = 1
    /// The venue.
    case venue = 2
    /// The engine itself (a full queue, an unknown order).
    case engine = 3

    public var description: String {
        switch self {
        case .risk: "risk"
        case .venue: "venue"
        case .engine: "engine"
        }
    }
}
