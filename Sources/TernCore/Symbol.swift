/// An instrument's symbol as the venue spells it (`ESH4`, `BTCUSDT`, `AAPL`), up to 32 bytes of
/// printable ASCII, stored inline.
///
/// Inline storage (four `UInt64`s) keeps `InstrumentSpec` `BitwiseCopyable` and lets symbols live in
/// flat tables and shared memory. 32 bytes hold OCC option symbols (21) and Deribit-style names
/// (`BTC-27DEC24-100000-C`, 20).
///
/// Memory layout (32 bytes, little-endian words; unused bytes are zero):
///
///     byte   0 ........ 7 | 8 ....... 15 | 16 ...... 23 | 24 ...... 31
///            w0           | w1           | w2           | w3
///            'E' 'S' 'H' '4' 0 0 0 0 ...
@frozen
public struct Symbol: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible, Comparable {
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    /// The longest symbol: 32 bytes.
    public static let capacity = 32

    /// Creates a symbol from text of 1 to 32 bytes of printable ASCII (0x21–0x7E, and spaces inside
    /// but not at either end).
    public init(_ text: String) throws(InstrumentSpecError) {
        let bytes = Array(text.utf8)
        guard (1...Self.capacity).contains(bytes.count),
            bytes.allSatisfy({ (0x20...0x7E).contains($0) }),
            bytes.first != 0x20, bytes.last != 0x20
        else {
            throw .invalidSymbol(text)
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        (w0, w1, w2, w3) = (
            UInt64(littleEndian: words.0), UInt64(littleEndian: words.1),
            UInt64(littleEndian: words.2), UInt64(littleEndian: words.3)
        )
    }

    /// The symbol's bytes.
    public var utf8: [UInt8] {
        var words = (w0.littleEndian, w1.littleEndian, w2.littleEndian, w3.littleEndian)
        return withUnsafeBytes(of: &words) { raw in Array(raw.prefix { $0 != 0 }) }
    }

    public var description: String { String(decoding: utf8, as: UTF8.self) }

    /// Byte-wise (ASCII) order.
    public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
}
