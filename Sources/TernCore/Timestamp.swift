/// A point in time as a signed count of nanoseconds.
///
/// Event times (exchange, receive, send) are nanoseconds since the Unix epoch, UTC, as venues and
/// Databento publish them; `description` renders those as ISO 8601. Latency stamps from
/// `TernSystem.MonotonicClock` use the same type in the monotonic clock's domain; do not mix the two.
/// Range: ±292 years around the epoch.
@frozen
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Nanoseconds since the epoch of the clock that produced it.
    public var rawValue: Int64

    @inlinable @inline(__always)
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// A timestamp `nanoseconds` after the epoch.
    @inlinable @inline(__always)
    public init(nanosecondsSinceEpoch nanoseconds: Int64) { self.rawValue = nanoseconds }

    /// The epoch itself (also used as "no time").
    @inlinable public static var zero: Timestamp { Timestamp(rawValue: 0) }

    /// Nanoseconds since the epoch.
    @inlinable public var nanosecondsSinceEpoch: Int64 { rawValue }

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// This timestamp moved by `nanoseconds` (wrapping arithmetic: callers stay within ±292 years).
    @inlinable
    public func advanced(byNanoseconds nanoseconds: Int64) -> Timestamp { Timestamp(rawValue: rawValue &+ nanoseconds) }

    /// The nanoseconds from `earlier` to this timestamp (negative if `earlier` is later).
    @inlinable
    public func nanoseconds(since earlier: Timestamp) -> Int64 { rawValue &- earlier.rawValue }

    /// ISO 8601 in UTC with nanoseconds: `2024-08-08T13:45:01.123456789Z`.
    public var description: String {
        let (seconds, nanos) = rawValue.quotientAndRemainder(dividingBy: 1_000_000_000)
        let (secs, frac) = nanos < 0 ? (seconds - 1, nanos + 1_000_000_000) : (seconds, nanos)
        let (days, secOfDay) = secs.quotientAndRemainder(dividingBy: 86_400)
        let (day, sod) = secOfDay < 0 ? (days - 1, secOfDay + 86_400) : (days, secOfDay)
        let (y, m, d) = Self.civil(fromDays: day)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: Swift.max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):"
            + "\(pad(sod % 60, 2)).\(pad(frac, 9))Z"
    }

    /// Year, month, day of the proleptic Gregorian calendar for a count of days since 1970-01-01
    /// (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
