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
    public static let unknownInstrument = RejectReason(rawValue: 101)
    public static let unknownAccount = RejectReason(rawValue: 102)
    public static let instrumentInvalid = RejectReason(rawValue: 103)
    public static let priceNotOnTick = RejectReason(rawValue: 104)
    public static let priceInvalid = RejectReason(rawValue: 105)
    public static let quantityInvalid = RejectReason(rawValue: 106)
    public static let quantityNotOnLot = RejectReason(rawValue: 107)
    public static let quantityBelowMinimum = RejectReason(rawValue: 108)
    public static let quantityAboveMaximum = RejectReason(rawValue: 109)
    public static let notionalOverflow = RejectReason(rawValue: 110)
    public static let duplicateClientOrderID = RejectReason(rawValue: 111)
    public static let unknownOrder = RejectReason(rawValue: 112)
    public static let unsupportedOrderType = RejectReason(rawValue: 113)
    public static let duplicateOrder = RejectReason(rawValue: 114)
    public static let expireTimeInvalid = RejectReason(rawValue: 115)
    public static let unsupportedTimeInForce = RejectReason(rawValue: 116)
    public static let unknownStrategy = RejectReason(rawValue: 117)
    public static let restrictedInstrument = RejectReason(rawValue: 118)
    public static let notPermitted = RejectReason(rawValue: 119)
    public static let clientOrderIDInvalid = RejectReason(rawValue: 120)
    public static let orderListRejected = RejectReason(rawValue: 121)
    // 2xx: limits.
    public static let notionalAboveMaximum = RejectReason(rawValue: 201)
    public static let priceOutsideBand = RejectReason(rawValue: 202)
    public static let positionLimit = RejectReason(rawValue: 203)
    public static let exposureLimit = RejectReason(rawValue: 204)
    public static let lossLimit = RejectReason(rawValue: 205)
    public static let openOrderLimit = RejectReason(rawValue: 206)
    public static let noReferencePrice = RejectReason(rawValue: 207)
    public static let staleReferencePrice = RejectReason(rawValue: 208)
    public static let selfMatch = RejectReason(rawValue: 209)
    public static let workingValueLimit = RejectReason(rawValue: 210)
    public static let creditLimit = RejectReason(rawValue: 211)
    public static let referencePriceInvalid = RejectReason(rawValue: 212)
    public static let priceDriftLimit = RejectReason(rawValue: 213)
    // 3xx: state and throttles.
    public static let killSwitchHalted = RejectReason(rawValue: 301)
    public static let reduceOnlyViolation = RejectReason(rawValue: 302)
    public static let rateLimited = RejectReason(rawValue: 303)
    public static let strategyDisabled = RejectReason(rawValue: 304)
    public static let marketClosed = RejectReason(rawValue: 305)
    public static let reconciling = RejectReason(rawValue: 306)
    // 4xx: the venue.
    public static let venueRejected = RejectReason(rawValue: 401)
    public static let venueTooLateToCancel = RejectReason(rawValue: 402)
    public static let venueUnavailable = RejectReason(rawValue: 403)
    // 9xx: the engine.
    public static let queueFull = RejectReason(rawValue: 901)
    public static let capacityExhausted = RejectReason(rawValue: 902)
    public static let internalError = RejectReason(rawValue: 999)

    /// Every code Tern names, in code order.
    public static let known: [RejectReason] = [
        .unknownInstrument, .unknownAccount, .instrumentInvalid, .priceNotOnTick, .priceInvalid,
        .quantityInvalid, .quantityNotOnLot, .quantityBelowMinimum, .quantityAboveMaximum, .notionalOverflow,
        .duplicateClientOrderID, .unknownOrder, .unsupportedOrderType, .duplicateOrder, .expireTimeInvalid,
        .unsupportedTimeInForce, .unknownStrategy, .restrictedInstrument, .notPermitted, .clientOrderIDInvalid,
        .orderListRejected,
        .notionalAboveMaximum, .priceOutsideBand, .positionLimit, .exposureLimit, .lossLimit, .openOrderLimit,
        .noReferencePrice, .staleReferencePrice, .selfMatch, .workingValueLimit, .creditLimit,
        .referencePriceInvalid, .priceDriftLimit,
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
