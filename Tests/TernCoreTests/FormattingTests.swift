import TernCore
import Testing

@Suite("Formatting")
struct FormattingTests {
    @Test(
        "description is canonical: no exponent, no +, no trailing zeros, no point for whole numbers",
        arguments: [
            (0, "0"), (1, "0.000000001"), (-1, "-0.000000001"), (5_000_250_000_000, "5000.25"),
            (5_000_000_000_000, "5000"), (100_000_000, "0.1"), (-500_000_000, "-0.5"),
            (Int64.max, "9223372036.854775807"), (Int64.min, "-9223372036.854775808"),
            (1_000_000_001, "1.000000001"), (10_000_000_000, "10"), (999_999_999, "0.999999999"),
        ] as [(Int64, String)])
    func description_canonical(raw: Int64, text: String) {
        #expect(Price(rawValue: raw).description == text)
        #expect(Quantity(rawValue: raw).description == text)
    }

    @Test("formatted(minimumFractionDigits:) pads but never rounds")
    func formatted_minimumFractionDigits() throws {
        #expect(Price(5000).formatted(minimumFractionDigits: 2) == "5000.00")
        #expect(try Price.parse("5000.125").formatted(minimumFractionDigits: 2) == "5000.125")
        #expect(try Price.parse("-0.5").formatted(minimumFractionDigits: 3) == "-0.500")
        #expect(Price.zero.formatted(minimumFractionDigits: 9) == "0.000000000")
        #expect(Price(1).formatted(minimumFractionDigits: 40) == "1.000000000", "clamped to 9")
        #expect(Price(1).formatted(minimumFractionDigits: -3) == "1", "clamped to 0")
    }

    @Test("writeDecimal writes UTF-8 without allocating and refuses a short buffer")
    func writeDecimal_buffer() throws {
        var bytes = [UInt8](repeating: 0, count: Price.maxDecimalLength)
        let written = bytes.withUnsafeMutableBytes { Price.min.writeDecimal(into: $0) }
        #expect(written == 21)
        #expect(String(decoding: bytes.prefix(21), as: UTF8.self) == "-9223372036.854775808")
        var short = [UInt8](repeating: 0, count: Price.maxDecimalLength - 1)
        #expect(short.withUnsafeMutableBytes { Price(1).writeDecimal(into: $0) } == nil)
        #expect(short.allSatisfy { $0 == 0 }, "nothing written to a short buffer")
    }

    @Test("maxDecimalLength covers the longest text of each type")
    func maxDecimalLength_bounds() {
        #expect(Price.min.description.utf8.count <= Price.maxDecimalLength)
        #expect(Money.min.description.utf8.count <= Money.maxDecimalLength)
        #expect(Money.min.description == "-170141183460469231731.687303715884105728")
    }

    @Test("Money keeps 18 digits")
    func money_description() {
        #expect(Money(rawValue: 1).description == "0.000000000000000001")
        #expect(Money(rawValue: 1_500_000_000_000_000_000).description == "1.5")
    }
}
