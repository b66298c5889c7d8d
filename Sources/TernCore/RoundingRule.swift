/// How to round a value that falls between two representable fixed-point values.
///
/// Every conversion that can lose precision (from `Double`, from text with more than the type's
/// fraction digits, to a tick, to a currency's minor unit, notional with a fractional multiplier)
/// takes one of these explicitly: Tern never picks a rounding direction for you.
///
/// The cases match the standard library's `FloatingPointRoundingRule` in meaning. Tern has its own
/// type because that one is not `@frozen` (so every switch over it needs an `@unknown default`) and
/// because the raw values here are stable codes the C ABI carries.
@frozen
public enum RoundingRule: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    /// Toward negative infinity (floor).
    case down = 0
    /// Toward positive infinity (ceiling).
    case up = 1
    /// Toward zero (truncation).
    case towardZero = 2
    /// Away from zero.
    case awayFromZero = 3
    /// To the nearest value; ties go to the one whose last digit is even (banker's rounding).
    case toNearestOrEven = 4
    /// To the nearest value; ties go away from zero (schoolbook rounding).
    case toNearestOrAwayFromZero = 5

    public var description: String {
        switch self {
        case .down: "down"
        case .up: "up"
        case .towardZero: "towardZero"
        case .awayFromZero: "awayFromZero"
        case .toNearestOrEven: "toNearestOrEven"
        case .toNearestOrAwayFromZero: "toNearestOrAwayFromZero"
        }
    }
}

/// Where a discarded remainder lies relative to half of one unit of the result.
///
/// Every rounding in Tern is done on a magnitude (an unsigned quotient) plus this classification of
/// what was cut off plus the sign. That one rule, `_RemainderClass.roundedMagnitude`, serves text,
/// `Double`, tick, minor-unit and notional rounding alike.
@usableFromInline
@frozen
enum _RemainderClass: UInt8, Sendable, BitwiseCopyable {
    case zero
    case belowHalf
    case half
    case aboveHalf

    /// Classifies `remainder / divisor` for `0 <= remainder < divisor`.
    @inlinable @inline(__always)
    static func of<T: UnsignedInteger & FixedWidthInteger>(remainder: T, divisor: T) -> _RemainderClass {
        if remainder == 0 { return .zero }
        // Compare remainder with divisor - remainder instead of 2 * remainder with divisor: no overflow.
        let rest = divisor &- remainder
        if remainder < rest { return .belowHalf }
        if remainder == rest { return .half }
        return .aboveHalf
    }

    /// Whether the magnitude `quotient` (of a value whose sign is `negative`, with this remainder
    /// cut off) must be incremented by one under `rule`.
    @inlinable @inline(__always)
    func roundsUp(quotientIsOdd: Bool, negative: Bool, rule: RoundingRule) -> Bool {
        if self == .zero { return false }
        switch rule {
        case .towardZero: return false
        case .awayFromZero: return true
        case .up: return !negative
        case .down: return negative
        case .toNearestOrAwayFromZero: return self == .half || self == .aboveHalf
        case .toNearestOrEven: return self == .aboveHalf || (self == .half && quotientIsOdd)
        }
    }

    /// The rounded magnitude, or `nil` if incrementing overflows `T`.
    @inlinable @inline(__always)
    func roundedMagnitude<T: UnsignedInteger & FixedWidthInteger>(
        _ quotient: T, negative: Bool, rule: RoundingRule
    ) -> T? {
        guard roundsUp(quotientIsOdd: quotient & 1 == 1, negative: negative, rule: rule) else { return quotient }
        let (sum, overflow) = quotient.addingReportingOverflow(1)
        return overflow ? nil : sum
    }
}
