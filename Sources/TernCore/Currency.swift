/// A currency or settlement asset: a short code (`USD`, `JPY`, `USDT`) and the number of decimal
/// places of its minor unit (2 for cents, 0 for yen, 8 for satoshis).
///
/// Stored as 9 bytes of integers (the code packed into a `UInt64`), so it is `BitwiseCopyable`
/// and can sit in instrument tables and cross the C ABI.
@frozen
public struct Currency: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The ASCII code packed little-endian: byte 0 is the first character, unused bytes are zero.
    public let packedCode: UInt64
    /// Decimal places of the minor unit, 0...18.
    public let minorUnitExponent: UInt8

    /// The longest code: 8 characters.
    public static let maxCodeLength = 8

    /// Creates a currency from its code (1 to 8 characters of `A`–`Z` and `0`–`9`) and the number
    /// of decimal places of its minor unit (0 to 18).
    public init(code: String, minorUnitExponent: Int) throws(InstrumentSpecError) {
        let bytes = Array(code.utf8)
        guard (1...Self.maxCodeLength).contains(bytes.count),
            bytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) })
        else {
            throw .invalidCurrencyCode(code)
        }
        guard (0...Money.fractionDigits).contains(minorUnitExponent) else {
            throw .invalidMinorUnitExponent(minorUnitExponent)
        }
        var packed: UInt64 = 0
        for (i, byte) in bytes.enumerated() { packed |= UInt64(byte) << (8 * UInt64(i)) }
        self.packedCode = packed
        self.minorUnitExponent = UInt8(minorUnitExponent)
    }

    /// The currency whose `packedCode` and exponent these are, or nil if they break the rules of
    /// `init(code:minorUnitExponent:)` (for decoding stored records).
    public init?(packedCode: UInt64, minorUnitExponent: UInt8) {
        guard packedCode != 0, minorUnitExponent <= UInt8(Money.fractionDigits) else { return nil }
        var rest = packedCode
        var ended = false
        for _ in 0..<8 {
            let byte = UInt8(truncatingIfNeeded: rest)
            rest >>= 8
            if byte == 0 {
                ended = true
            } else if ended || !((0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)) {
                return nil
            }
        }
        self.packedCode = packedCode
        self.minorUnitExponent = minorUnitExponent
    }

    /// The code as text (`"USD"`).
    public var code: String {
        var bytes: [UInt8] = []
        var rest = packedCode
        while rest != 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { code }

    // Safe: these literals satisfy the initializer's rules, so `try!` cannot fail.
    /// US dollar, 2 decimals.
    public static let usd = try! Currency(code: "USD", minorUnitExponent: 2)
    /// Euro, 2 decimals.
    public static let eur = try! Currency(code: "EUR", minorUnitExponent: 2)
    /// Pound sterling, 2 decimals.
    public static let gbp = try! Currency(code: "GBP", minorUnitExponent: 2)
    /// Japanese yen, 0 decimals.
    public static let jpy = try! Currency(code: "JPY", minorUnitExponent: 0)
    /// Tether USD as settled on most exchanges, 8 decimals.
    public static let usdt = try! Currency(code: "USDT", minorUnitExponent: 8)
    /// Bitcoin, 8 decimals (satoshi).
    public static let btc = try! Currency(code: "BTC", minorUnitExponent: 8)
}
