/// Why text, a `Double` or an arithmetic operation could not become a fixed-point value.
///
/// It says what went wrong (`kind`) and where (`offset`, the zero-based byte offset into the UTF-8
/// input, for parse errors). It holds no text of its own, so throwing it never allocates: parsers on
/// the hot path can throw it (typed `throws(FixedPointError)`) at no heap cost.
///
/// ```swift
/// do { _ = try Price.parse("12.3x") } catch { print(error) }
/// // unexpected character 'x' (0x78) at byte 4
/// ```
@frozen
public struct FixedPointError: Error, Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The kinds of failure, with stable raw values (the C ABI reports them as codes).
    @frozen
    public enum Kind: UInt8, Sendable, BitwiseCopyable, Hashable, CustomStringConvertible {
        /// The input had no bytes.
        case empty = 1
        /// A sign or decimal point with no digit (`"-"`, `"+"`, `"."`, `"-."`).
        case missingDigits = 2
        /// A byte that is not part of the grammar (letters, `,`, `_`, control bytes, non-ASCII).
        case unexpectedCharacter = 3
        /// Leading or trailing white space; trim before parsing.
        case whitespace = 4
        /// A second `.`.
        case multipleDecimalPoints = 5
        /// More fraction digits than the type holds; `parse(_:rounding:)` rounds them instead.
        case tooManyFractionDigits = 6
        /// `e`/`E` exponent notation, which Tern never accepts (see docs/decisions/0001).
        case exponentNotation = 7
        /// `nan` (any case), or a NaN `Double`.
        case notANumber = 8
        /// `inf`/`infinity` (any case), or an infinite `Double`.
        case infinity = 9
        /// A valid decimal or `Double` whose value lies outside the type's range.
        case outOfRange = 10
        /// An arithmetic result outside the type's range.
        case overflow = 11
        /// A rounding increment (tick, lot, minor unit) that is zero, negative or out of range.
        case invalidIncrement = 12

        public var description: String {
            switch self {
            case .empty: "empty input"
            case .missingDigits: "no digits"
            case .unexpectedCharacter: "unexpected character"
            case .whitespace: "white space"
            case .multipleDecimalPoints: "more than one decimal point"
            case .tooManyFractionDigits: "too many fraction digits"
            case .exponentNotation: "exponent notation"
            case .notANumber: "not a number"
            case .infinity: "infinity"
            case .outOfRange: "out of range"
            case .overflow: "arithmetic overflow"
            case .invalidIncrement: "invalid rounding increment"
            }
        }
    }

    /// The zero-based byte offset in the input where the problem was found, or `-1` when the error
    /// is about the whole value (range, overflow, non-finite `Double`).
    public var offset: Int
    /// What went wrong.
    public var kind: Kind
    /// The offending byte for `.unexpectedCharacter` and `.whitespace`; otherwise 0.
    public var byte: UInt8
    /// The most fraction digits the target type holds (for `.tooManyFractionDigits` and
    /// `.outOfRange` from a parser, so the message can name the limit); otherwise 0.
    public var fractionDigitLimit: UInt8

    @inlinable
    public init(_ kind: Kind, offset: Int = -1, byte: UInt8 = 0, fractionDigitLimit: UInt8 = 0) {
        self.kind = kind
        self.offset = offset
        self.byte = byte
        self.fractionDigitLimit = fractionDigitLimit
    }

    public var description: String {
        let place = offset >= 0 ? " at byte \(offset)" : ""
        switch kind {
        case .empty:
            return "empty input: expected a decimal number such as 5000.25"
        case .missingDigits:
            return "no digits\(place): a sign or decimal point needs at least one digit"
        case .unexpectedCharacter:
            return "unexpected character \(Self.show(byte))\(place)"
        case .whitespace:
            return "unexpected white space \(Self.show(byte))\(place): trim the text before parsing"
        case .multipleDecimalPoints:
            return "a second decimal point\(place)"
        case .tooManyFractionDigits:
            return "more than \(fractionDigitLimit) fraction digits\(place); "
                + "use parse(_:rounding:) to round them with an explicit rule"
        case .exponentNotation:
            return "exponent notation\(place) is not accepted: write the decimal digits out in full"
        case .notANumber:
            return "not a number (NaN)\(place): fixed-point values are always finite"
        case .infinity:
            return "infinity\(place): fixed-point values are always finite"
        case .outOfRange:
            switch fractionDigitLimit {
            case 9: return "value out of range: 9-digit types (Price, Quantity) hold ±9223372036.854775807"
            case 18: return "value out of range: Money holds ±170141183460469231731.687303715884105727"
            default: return "value out of range of the fixed-point type"
            }
        case .overflow:
            return "arithmetic overflow: the result is outside the fixed-point type's range"
        case .invalidIncrement:
            return "invalid rounding increment: it must be a positive value in range"
        }
    }

    static func show(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        let code = "0x" + (hex.count == 1 ? "0" + hex : hex)
        switch byte {
        case 0x20: return "' ' (0x20)"
        case 0x09: return "'\\t' (0x09)"
        case 0x0A: return "'\\n' (0x0A)"
        case 0x0D: return "'\\r' (0x0D)"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))' (\(code))"
        default: return "byte \(code)"
        }
    }
}
