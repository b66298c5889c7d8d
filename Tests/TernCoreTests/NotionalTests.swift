import Foundation
import TernCore
import Testing

@Suite("Notional and Money")
struct NotionalTests {
    func notional(_ p: String, _ q: String, _ m: String, _ rule: RoundingRule) throws -> Money {
        try Money.notional(price: .parse(p), quantity: .parse(q), multiplier: .parse(m), rounding: rule)
    }

    @Test("price × quantity is exact and cannot overflow")
    func priceTimesQuantity_exact() throws {
        #expect(
            Money(price: try .parse("0.000000001"), quantity: try .parse("0.000000001")).description
                == "0.000000000000000001")
        #expect(Money(price: .min, quantity: .min).rawValue == Int128(Int64.min) * Int128(Int64.min))
        #expect(Money(price: .max, quantity: .min).rawValue == Int128(Int64.max) * Int128(Int64.min))
    }

    @Test(
        "whole-number multipliers are exact under every rule",
        arguments: RoundingRule.allCases)
    func wholeMultiplier_exact(rule: RoundingRule) throws {
        #expect(try notional("5000.25", "3", "50", rule).description == "750037.5")
        #expect(try notional("-37.63", "1000", "1000", rule).description == "-37630000")
        #expect(try notional("38915", "250", "1000", rule).description == "9728750000")
        #expect(try notional("0.000000001", "0.000000003", "7", rule).description == "0.000000000000000021")
    }

    @Test("fractional multipliers are exact when 18 digits suffice")
    func fractionalMultiplier_exactWhenPossible() throws {
        #expect(try notional("61234.57", "7", "0.1", .down).description == "42864.199")
        #expect(try notional("60000.12", "0.0123", "0.1", .up).description == "73.8001476")
    }

    @Test(
        "fractional multipliers round the exact product once, by the rule",
        arguments: [
            // 0.000000001 × 0.000000001 × 0.5 = 5e-19: exactly half a raw unit of Money
            (RoundingRule.down, "0", "-0.000000000000000001"),
            (.up, "0.000000000000000001", "0"),
            (.towardZero, "0", "0"),
            (.awayFromZero, "0.000000000000000001", "-0.000000000000000001"),
            (.toNearestOrEven, "0", "0"),
            (.toNearestOrAwayFromZero, "0.000000000000000001", "-0.000000000000000001"),
        ])
    func fractionalMultiplier_tie(rule: RoundingRule, positive: String, negative: String) throws {
        #expect(try notional("0.000000001", "0.000000001", "0.5", rule).description == positive)
        #expect(try notional("-0.000000001", "0.000000001", "0.5", rule).description == negative)
    }

    @Test("overflow is reported, never trapped")
    func overflow_reported() throws {
        #expect(throws: FixedPointError(.overflow)) { try notional("9223372036", "9223372036", "3", .down) }
        #expect(throws: FixedPointError(.overflow)) {
            try Money.notional(price: .min, quantity: .min, multiplier: .max, rounding: .down)
        }
        #expect(throws: FixedPointError(.overflow)) {
            try Money.notional(price: .max, quantity: .max, multiplier: .init(rawValue: 2_500_000_000), rounding: .up)
        }
        // Just inside: |Int64.min|² × 1 = 2^126 fits.
        #expect(
            try Money.notional(price: .min, quantity: .min, multiplier: .one, rounding: .down).rawValue == Int128(1)
                << 126)
    }

    @Test("random notionals match Foundation.Decimal's exact product, rounded by each rule")
    func notional_matchesDecimal() throws {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<50_000 {
            // Keep the exact product within Decimal's 38 digits: 13 + 13 + 11 digits.
            let p = Int64(bitPattern: rng.next() % 10_000_000_000_000) * (rng.next() & 1 == 0 ? 1 : -1)
            let q = Int64(bitPattern: rng.next() % 10_000_000_000_000)
            let m = Int64(bitPattern: rng.next() % 100_000_000_000) + 1
            let exact = decimal(raw: p) * decimal(raw: q) * decimal(raw: m)
            for rule in RoundingRule.allCases {
                let got = try Money.notional(
                    price: .init(rawValue: p), quantity: .init(rawValue: q), multiplier: .init(rawValue: m),
                    rounding: rule)
                let value = decimal(raw: got.rawValue)
                let ulp = Decimal(sign: .plus, exponent: -18, significand: 1)
                switch rule {
                case .down: #expect(value <= exact && exact < value + ulp)
                case .up: #expect(value - ulp < exact && exact <= value)
                case .towardZero: #expect(value.magnitude <= exact.magnitude && exact.magnitude < value.magnitude + ulp)
                case .awayFromZero:
                    #expect(value.magnitude >= exact.magnitude && exact.magnitude > value.magnitude - ulp)
                case .toNearestOrEven, .toNearestOrAwayFromZero:
                    #expect((value - exact).magnitude * 2 <= ulp, "p \(p) q \(q) m \(m) \(rule)")
                }
            }
        }
    }

    @Test("rounding to a currency's minor unit")
    func minorUnits() throws {
        let amount = try Money.parse("19.995")
        #expect(try amount.rounded(to: .usd, .toNearestOrEven).description == "20")
        #expect(try amount.rounded(to: .usd, .down).description == "19.99")
        #expect(try amount.minorUnits(of: .usd, .toNearestOrAwayFromZero) == 2000)
        #expect(try Money.parse("-19.995").minorUnits(of: .usd, .down) == -2000)
        #expect(try Money.parse("1234.5").minorUnits(of: .jpy, .toNearestOrEven) == 1234)
        #expect(try Money.parse("0.123456789").minorUnits(of: .btc, .up) == 12_345_679)
        #expect(Money(minorUnits: 1999, of: .usd).description == "19.99")
        #expect(Money(minorUnits: -5, of: .jpy).description == "-5")
        #expect(throws: FixedPointError(.overflow)) {
            try Money.parse("100000000000000000000").minorUnits(of: .usd, .down)
        }
    }
}
