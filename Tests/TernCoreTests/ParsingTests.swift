import TernCore
import Testing

@Suite("Parsing decimal text")
struct ParsingTests {
    @Test(
        "accepted forms give the exact raw value",
        arguments: [
            ("0", 0), ("-0", 0), ("+0", 0), ("0.0", 0), ("5000.25", 5_000_250_000_000),
            ("61737.63000000", 61_737_630_000_000), ("007.50", 7_500_000_000), (".5", 500_000_000),
            ("5.", 5_000_000_000), ("+7", 7_000_000_000), ("-0.000000001", -1), ("0.000000001", 1),
            ("9223372036.854775807", Int64.max), ("-9223372036.854775808", Int64.min),
            ("-9223372036.854775807", -Int64.max), ("000000000000000000000001", 1_000_000_000),
            ("1.100000000", 1_100_000_000), ("-.25", -250_000_000),
        ] as [(String, Int64)])
    func parse_acceptedForms(text: String, raw: Int64) throws {
        #expect(try Price.parse(text).rawValue == raw)
        #expect(try Quantity.parse(text).rawValue == raw)
        #expect(try Price.parse(text[...]).rawValue == raw, "Substring")
        let viaBytes = try Array(text.utf8).withUnsafeBytes { bytes throws(FixedPointError) in
            try Price.parse(utf8: bytes)
        }
        #expect(viaBytes.rawValue == raw, "raw UTF-8 bytes")
        let viaSpan = try Array(text.utf8).withUnsafeBufferPointer { buffer throws(FixedPointError) in
            try Price.parse(utf8: Span(_unsafeElements: buffer))
        }
        #expect(viaSpan.rawValue == raw, "Span")
    }

    @Test(
        "malformed text throws the precise kind at the precise byte",
        arguments: [
            ("", .empty, 0), ("-", .missingDigits, 1), ("+", .missingDigits, 1), (".", .missingDigits, 1),
            ("-.", .missingDigits, 2), ("1.2.3", .multipleDecimalPoints, 3), ("..1", .multipleDecimalPoints, 1),
            ("abc", .unexpectedCharacter, 0), ("12x", .unexpectedCharacter, 2), ("1,000", .unexpectedCharacter, 1),
            ("1_000", .unexpectedCharacter, 1), ("--1", .unexpectedCharacter, 1), ("+-1", .unexpectedCharacter, 1),
            ("1-", .unexpectedCharacter, 1), (" 1", .whitespace, 0), ("1 ", .whitespace, 1), ("1\t", .whitespace, 1),
            ("\n1", .whitespace, 0), ("1 000", .whitespace, 1), ("1e5", .exponentNotation, 1),
            ("1.5E-3", .exponentNotation, 3), ("e5", .unexpectedCharacter, 0), ("nan", .notANumber, 0),
            ("NaN", .notANumber, 0), ("-nan", .notANumber, 1), ("inf", .infinity, 0), ("-Infinity", .infinity, 1),
            ("+INF", .infinity, 1), ("nano", .unexpectedCharacter, 0), ("1nan", .unexpectedCharacter, 1),
            ("1.0000000001", .tooManyFractionDigits, 11), ("0.1234567890", .tooManyFractionDigits, 11),
            ("1.2\u{0}", .unexpectedCharacter, 3), ("١", .unexpectedCharacter, 0), ("5€", .unexpectedCharacter, 1),
        ] as [(String, FixedPointError.Kind, Int)])
    func parse_malformedText_throwsKindAndOffset(text: String, kind: FixedPointError.Kind, offset: Int) {
        #expect {
            _ = try Price.parse(text)
        } throws: { error in
            guard let error = error as? FixedPointError else { return false }
            return error.kind == kind && error.offset == offset
        }
    }

    @Test(
        "values outside ±9223372036.854775807 are out of range",
        arguments: [
            "9223372036.854775808", "-9223372036.854775809", "9223372037", "10000000000", "99999999999999999999",
            "123456789012345678901234567890", "-18446744073.709551616", "18446744073.709551615",
        ])
    func parse_outOfRange_throws(text: String) {
        #expect(throws: FixedPointError(.outOfRange, fractionDigitLimit: 9)) { try Price.parse(text) }
    }

    @Test("a syntax error later in the text wins over the range")
    func parse_syntaxErrorBeyondHugeNumber_reportsSyntax() {
        #expect(throws: FixedPointError(.unexpectedCharacter, offset: 30, byte: 0x78)) {
            try Price.parse("123456789012345678901234567890x")
        }
    }

    @Test("error messages say what and where")
    func error_description_namesWhatAndWhere() {
        #expect(
            "\(FixedPointError(.unexpectedCharacter, offset: 4, byte: 0x78))"
                == "unexpected character 'x' (0x78) at byte 4")
        #expect(
            "\(FixedPointError(.whitespace, offset: 0, byte: 0x20))".hasPrefix(
                "unexpected white space ' ' (0x20) at byte 0"))
        #expect(
            "\(FixedPointError(.tooManyFractionDigits, offset: 11, fractionDigitLimit: 9))".hasPrefix(
                "more than 9 fraction digits at byte 11"))
        #expect("\(FixedPointError(.outOfRange, fractionDigitLimit: 9))".contains("9223372036.854775807"))
        #expect(
            "\(FixedPointError(.unexpectedCharacter, offset: 0, byte: 0xC3))"
                == "unexpected character byte 0xC3 at byte 0")
    }

    @Test(
        "parse(_:rounding:) rounds extra digits with each rule",
        arguments: [
            // text, down, up, towardZero, awayFromZero, nearestEven, nearestAway (raw units)
            ("1.0000000005", 1_000_000_000, 1_000_000_001, 1_000_000_000, 1_000_000_001, 1_000_000_000, 1_000_000_001),
            ("1.0000000015", 1_000_000_001, 1_000_000_002, 1_000_000_001, 1_000_000_002, 1_000_000_002, 1_000_000_002),
            (
                "1.00000000050000001", 1_000_000_000, 1_000_000_001, 1_000_000_000, 1_000_000_001, 1_000_000_001,
                1_000_000_001
            ),
            (
                "1.0000000004999", 1_000_000_000, 1_000_000_001, 1_000_000_000, 1_000_000_001, 1_000_000_000,
                1_000_000_000
            ),
            (
                "-1.0000000005", -1_000_000_001, -1_000_000_000, -1_000_000_000, -1_000_000_001, -1_000_000_000,
                -1_000_000_001
            ),
            ("-0.0000000001", -1, 0, 0, -1, 0, 0),
            (
                "2.5000000000000", 2_500_000_000, 2_500_000_000, 2_500_000_000, 2_500_000_000, 2_500_000_000,
                2_500_000_000
            ),
            ("0.00000000000000000000001", 0, 1, 0, 1, 0, 0),
        ] as [(String, Int64, Int64, Int64, Int64, Int64, Int64)])
    func parseRounding_eachRule(
        text: String, down: Int64, up: Int64, towardZero: Int64, away: Int64, even: Int64, nearestAway: Int64
    ) throws {
        #expect(try Price.parse(text, rounding: .down).rawValue == down)
        #expect(try Price.parse(text, rounding: .up).rawValue == up)
        #expect(try Price.parse(text, rounding: .towardZero).rawValue == towardZero)
        #expect(try Price.parse(text, rounding: .awayFromZero).rawValue == away)
        #expect(try Price.parse(text, rounding: .toNearestOrEven).rawValue == even)
        #expect(try Price.parse(text, rounding: .toNearestOrAwayFromZero).rawValue == nearestAway)
    }

    @Test("rounding up at the top of the range reports out of range, never traps")
    func parseRounding_overflowAtMax_throws() throws {
        #expect(throws: FixedPointError.self) { try Price.parse("9223372036.8547758075", rounding: .up) }
        #expect(try Price.parse("9223372036.8547758075", rounding: .down) == .max)
        #expect(try Price.parse("-9223372036.8547758085", rounding: .towardZero) == .min)
    }

    @Test("the rounding parser keeps the exact parser's other rules")
    func parseRounding_malformed_stillThrows() {
        for text in ["", "1e5", "nan", " 1", "1..2"] {
            #expect(throws: FixedPointError.self) { try Price.parse(text, rounding: .toNearestOrEven) }
        }
    }

    @Test("LosslessStringConvertible init returns nil for bad text")
    func losslessInit() {
        #expect(Price("5000.25")?.rawValue == 5_000_250_000_000)
        #expect(Price("5000.25 ") == nil)
    }

    @Test("Money parses 18 fraction digits and its own range")
    func money_parse() throws {
        #expect(try Money.parse("0.000000000000000001").rawValue == 1)
        #expect(try Money.parse("-170141183460469231731.687303715884105728").rawValue == Int128.min)
        #expect(try Money.parse("170141183460469231731.687303715884105727").rawValue == Int128.max)
        #expect(throws: FixedPointError(.outOfRange, fractionDigitLimit: 18)) {
            try Money.parse("170141183460469231731.687303715884105728")
        }
        #expect(throws: FixedPointError(.tooManyFractionDigits, offset: 20, fractionDigitLimit: 18)) {
            try Money.parse("0.0000000000000000001")
        }
    }
}
