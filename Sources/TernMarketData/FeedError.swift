/// A feed decoder's refusal: what was wrong and where, in bytes from the start of the
/// (decompressed) input. Decoders throw it for malformed input and never trap.
public struct FeedError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, a stable code.
    public enum Kind: UInt8, Sendable {
        /// The file could not be read.
        case io = 1
        /// The input ends inside a header, record, message or line.
        case truncated = 2
        /// The input does not start with the format's magic bytes.
        case badMagic = 3
        /// A version, schema or record type the decoder does not read.
        case unsupported = 4
        /// A structural error: a bad length, an unexpected byte, a missing field.
        case malformed = 5
        /// A number that does not parse, or does not fit.
        case badNumber = 6
        /// The compressed container is damaged or its size exceeds the limit.
        case decompression = 7
    }

    public var kind: Kind
    /// The byte offset of the problem in the decoded input (for a compressed file, in its
    /// decompressed bytes; for a line format, from the start of the file, not of the line).
    public var offset: Int
    public var message: String

    public init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) (at byte \(offset))" }
}

/// Little- and big-endian loads from raw bytes, bounds checked by the callers.
extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    func le<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inlinable @inline(__always)
    func be<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// Text of `count` bytes at `offset` up to the first NUL, with trailing spaces trimmed (fixed-width
/// symbol fields in DBN and ITCH). Not for hot paths.
func fixedText(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> String {
    var end = offset
    while end < offset + count && bytes[end] != 0 { end += 1 }
    while end > offset && bytes[end - 1] == 0x20 { end -= 1 }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
}

/// `body` over the array's bytes with its `FeedError` kept typed (`Array.withUnsafeBytes` rethrows
/// untyped errors).
func withFeedBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(FeedError) -> R) throws(FeedError) -> R {
    try bytes.withUnsafeBytes { raw in Result { () throws(FeedError) -> R in try body(raw) } }.get()
}

/// The last symbol a line format named, as a `String` made only when the bytes change (a capture
/// names the same symbol on every line).
struct SymbolCache {
    private var bytes: [UInt8] = []
    private(set) var symbol: String? = nil

    /// The symbol for `text`, or the last one when `text` is empty (a line without a symbol).
    mutating func symbol(for text: UnsafeRawBufferPointer) -> String? {
        if !text.isEmpty && !bytes.elementsEqual(text) {
            bytes = Array(text)
            symbol = String(decoding: text, as: UTF8.self)
        }
        return symbol
    }
}
