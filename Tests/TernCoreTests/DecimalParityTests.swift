import Foundation
import TernCore
import Testing

/// Seeded property tests against `Foundation.Decimal` (a slow, independent decimal reference), over
/// raw values biased toward boundaries. Each test covers `count` values; the four together exceed
/// one million. `TERN_LONG_TESTS=1` multiplies the counts by 10.
@Suite("Parity with Foundation.Decimal")
struct DecimalParityTests {
    static let scale = ProcessInfo.processInfo.environment["TERN_LONG_TESTS"] == "1" ? 10 : 1

    /// Splits `count` values over the seeds so Swift Testing runs the pieces on both cores.
    static let seeds: [UInt64] = [0x7E57_0001, 0x7E57_0002, 0x7E57_0003, 0x7E57_0004]

    @Test("format then Decimal: description has the exact value and Decimal's canonical text", arguments: seeds)
    func description_matchesDecimal(seed: UInt64) {
        var values = BiasedRawValues(rng: SplitMix64(seed: seed))
        var failures = 0
        for _ in 0..<(150_000 * Self.scale) {
            let raw = values.next()
            let expected = decimal(raw: raw)
            let text = Price(rawValue: raw).description
            if text != expected.description || Decimal(string: text) != expected {
                failures += 1
                if failures <= 5 { Issue.record("raw \(raw): Tern \(text), Decimal \(expected)") }
            }
        }
        #expect(failures == 0)
    }

    @Test("Decimal's text, and padded variants, parse to the exact raw value", arguments: seeds)
    func parse_matchesDecimal(seed: UInt64) throws {
        var values = BiasedRawValues(rng: SplitMix64(seed: seed ^ 0xFFFF))
        var failures = 0
        for i in 0..<(150_000 * Self.scale) {
            let raw = values.next()
            var text = decimal(raw: raw).description
            // Vary the spelling: trailing zeros up to 9 fraction digits, leading zeros, a '+'.
            switch i % 4 {
            case 1:
                let fraction = text.split(separator: ".").dropFirst().first?.count ?? 0
                text += (fraction == 0 ? "." : "") + String(repeating: "0", count: 9 - fraction)
            case 2: text = text.hasPrefix("-") ? "-000" + text.dropFirst() : "000" + text
            case 3: text = text.hasPrefix("-") ? text : "+" + text
            default: break
            }
            let parsed = try Price.parse(text)
            if parsed.rawValue != raw {
                failures += 1
                if failures <= 5 { Issue.record("\(text): Tern raw \(parsed.rawValue), expected \(raw)") }
            }
        }
        #expect(failures == 0)
    }

    /// Price's range in Decimal.
    static let low = decimal(raw: Int64.min)
    static let high = decimal(raw: Int64.max)

    /// Whether a checked result disagrees with Decimal's exact value: it must report overflow exactly
    /// when the value leaves Price's range, and otherwise hold that value.
    static func disagrees(_ result: (partialValue: Price, overflow: Bool), _ exact: Decimal) -> Bool {
        let inRange = exact >= low && exact <= high
        return result.overflow == inRange || (inRange && decimal(raw: result.partialValue.rawValue) != exact)
    }

    @Test("add and subtract match Decimal, and overflow exactly when Decimal leaves the range", arguments: seeds)
    func addSubtract_matchDecimal(seed: UInt64) {
        var values = BiasedRawValues(rng: SplitMix64(seed: seed ^ 0xABCD))
        var failures = 0
        for _ in 0..<(50_000 * Self.scale) {
            let a = Price(rawValue: values.next())
            let b = Price(rawValue: values.next())
            for (result, exact) in [
                (a.addingReportingOverflow(b), decimal(raw: a.rawValue) + decimal(raw: b.rawValue)),
                (a.subtractingReportingOverflow(b), decimal(raw: a.rawValue) - decimal(raw: b.rawValue)),
            ] {
                if Self.disagrees(result, exact) {
                    failures += 1
                    if failures <= 5 { Issue.record("\(a) ± \(b): \(result), Decimal \(exact)") }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test("multiply by an integer and round to a tick match Decimal", arguments: seeds)
    func multiplyAndTick_matchDecimal(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed ^ 0x1234)
        var values = BiasedRawValues(rng: SplitMix64(seed: seed ^ 0x5678))
        var failures = 0
        for _ in 0..<(50_000 * Self.scale) {
            let a = Price(rawValue: values.next())
            let k = Int64(bitPattern: rng.next() % 2_000_001) - 1_000_000
            let product = a.multipliedReportingOverflow(by: k)
            let exact = decimal(raw: a.rawValue) * Decimal(k)
            if Self.disagrees(product, exact) {
                failures += 1
                if failures <= 5 { Issue.record("\(a) × \(k): \(product), Decimal \(exact)") }
            }
            // Floor to a random tick, checked exactly with Decimal addition and comparison.
            let tick = Price(rawValue: Int64(bitPattern: rng.next() % 1_000_000_000_000) + 1)
            if let floored = try? a.rounded(toMultipleOf: tick, .down) {
                // The floor is the multiple of the tick with floor <= a < floor + tick (exact in Decimal).
                let f = decimal(raw: floored.rawValue)
                let x = decimal(raw: a.rawValue)
                if floored.rawValue % tick.rawValue != 0 || !(f <= x && x < f + decimal(raw: tick.rawValue)) {
                    failures += 1
                    if failures <= 5 { Issue.record("floor(\(a), tick \(tick)) = \(floored)") }
                }
            } else if decimal(raw: a.rawValue) - decimal(raw: tick.rawValue) >= Self.low {
                failures += 1  // only a floor below Price.min may fail
                Issue.record("floor(\(a), tick \(tick)) threw")
            }
        }
        #expect(failures == 0)
    }
}
