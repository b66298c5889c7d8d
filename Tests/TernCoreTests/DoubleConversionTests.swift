import Foundation
import TernCore
import Testing

@Suite("Conversions from and to Double")
struct DoubleConversionTests {
    @Test("0.1 is rounded from its exact binary value")
    func pointOne() throws {
        // 0.1 is 0.1000000000000000055511151231257827…: above 0.1 by far less than half a raw unit.
        #expect(try Price(0.1, rounding: .toNearestOrEven).rawValue == 100_000_000)
        #expect(try Price(0.1, rounding: .down).rawValue == 100_000_000)
        #expect(try Price(0.1, rounding: .up).rawValue == 100_000_001)
        #expect(try Price(-0.1, rounding: .up).rawValue == -100_000_000)
        #expect(try Price(-0.1, rounding: .down).rawValue == -100_000_001)
        #expect(try Price(5000.25, rounding: .towardZero).rawValue == 5_000_250_000_000)
    }

    @Test("non-finite values throw; -0.0 is zero; tiny values round by the rule")
    func specialValues() throws {
        #expect(throws: FixedPointError(.notANumber)) { try Price(.nan, rounding: .down) }
        #expect(throws: FixedPointError(.notANumber)) { try Price(-.signalingNaN, rounding: .down) }
        #expect(throws: FixedPointError(.infinity)) { try Price(.infinity, rounding: .down) }
        #expect(throws: FixedPointError(.infinity)) { try Price(-.infinity, rounding: .up) }
        #expect(try Price(-0.0, rounding: .down) == .zero)
        #expect(try Price(.leastNonzeroMagnitude, rounding: .up).rawValue == 1)
        #expect(try Price(.leastNonzeroMagnitude, rounding: .toNearestOrEven).rawValue == 0)
        #expect(try Price(-.leastNonzeroMagnitude, rounding: .down).rawValue == -1)
        #expect(try Price(5e-10, rounding: .toNearestOrEven).rawValue == 1, "5e-10 as a Double is just above half")
    }

    @Test("out of range throws, including the edges")
    func range() throws {
        #expect(throws: FixedPointError(.outOfRange, fractionDigitLimit: 9)) { try Price(1e10, rounding: .down) }
        #expect(throws: FixedPointError(.outOfRange, fractionDigitLimit: 9)) {
            try Price(.greatestFiniteMagnitude, rounding: .down)
        }
        #expect(throws: FixedPointError(.outOfRange, fractionDigitLimit: 9)) {
            try Price(9_223_372_036.854_775_807, rounding: .down)
        }
        // The Doubles nearest ±2^63/10^9 lie outside the range (the ulp there is about 1e-6).
        #expect(throws: FixedPointError(.outOfRange, fractionDigitLimit: 9)) {
            try Price(-9_223_372_036.854_775_808, rounding: .up)
        }
        #expect(try Price(-9_223_372_036.854_774, rounding: .towardZero) < Price(-9_223_372_036))
        #expect(try Money(1e20, rounding: .down).description == "100000000000000000000")
        #expect(throws: FixedPointError.self) { try Money(1e21, rounding: .down) }
    }

    @Test("random doubles match glibc's exact decimal expansion rounded by Tern's decimal rounding")
    func randomDoubles_matchExactExpansion() throws {
        // Two independent paths: printf("%.1100f") prints a Double's exact binary value in decimal
        // (glibc is exact), and parse(_:rounding:) rounds that text. Both must agree with the
        // direct binary conversion.
        var rng = SplitMix64(seed: 0x5EED_0002)
        for i in 0..<20_000 {
            let value: Double
            switch i % 4 {
            case 0: value = Double(bitPattern: rng.next() & 0xC1FF_FFFF_FFFF_FFFF)  // any sign, |x| < 2^33
            case 1: value = Double(Int64(bitPattern: rng.next() % 20_000_000_000_000) - 10_000_000_000_000) / 1e9
            case 2: value = (Double(rng.next() % 1_000_000) + 0.5) / 1e9  // near-ties
            default:
                value = Double(
                    sign: rng.next() & 1 == 0 ? .plus : .minus, exponent: Int(rng.next() % 80) - 60,
                    significand: 1 + Double(rng.next() % 1_000_000) / 1e6)
            }
            guard value.isFinite, value.magnitude < 9e9 else { continue }
            let text = String(format: "%.1100f", value)
            for rule in RoundingRule.allCases {
                let direct = try Price(value, rounding: rule)
                let viaText = try Price.parse(text, rounding: rule)
                #expect(direct == viaText, "\(value) \(rule)")
            }
        }
    }

    @Test("Double(price) is correctly rounded below 2^53 raw units")
    func toDouble() throws {
        #expect(Double(try Price.parse("5000.25")) == 5000.25)
        #expect(Double(try Price.parse("0.1")) == 0.1)
        #expect(Double(Price.zero) == 0)
        #expect(Double(try Money.parse("1.5")) == 1.5)
        var rng = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<20_000 {
            let raw = Int64(bitPattern: rng.next() % (1 << 53)) * (rng.next() & 1 == 0 ? 1 : -1)
            let price = Price(rawValue: raw)
            #expect(Double(price) == Double(price.description)!, "\(price)")
        }
    }
}
