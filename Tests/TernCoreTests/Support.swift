import Foundation
import TernCore
@_exported import TernTestSupport

/// Raw `Int64` values for 9-digit fixed-point types, biased toward the places bugs live.
///
/// About a quarter are boundaries (0, ±1 raw unit, ±max, min, powers of ten and their neighbours,
/// 9 fraction digits of nines, carries such as 999999999.999999999); the rest have a random number
/// of significant digits (so short and long texts both appear) and a random sign.
struct BiasedRawValues {
    static let boundaries: [Int64] = {
        var values: [Int64] = [
            0, 1, -1, 2, -2, .max, .min, .max - 1, .min + 1, 999_999_999, -999_999_999,
            1_000_000_000, -1_000_000_000, 1_000_000_001, 999_999_999_999_999_999,
        ]
        var p: Int64 = 1
        for _ in 0...18 {
            values += [p, p - 1, p + 1, -p, -(p - 1), -(p + 1), p * 9 / 9 &+ (p - 1)]
            if p <= Int64.max / 10 { p *= 10 } else { break }
        }
        return values
    }()

    var rng: SplitMix64

    mutating func next() -> Int64 {
        let pick = rng.next()
        if pick % 4 == 0 {
            return Self.boundaries[Int(rng.next() % UInt64(Self.boundaries.count))]
        }
        let digits = Int(rng.next() % 20)  // 0...19 significant digits
        var magnitude: UInt64 = 0
        for _ in 0..<digits { magnitude = magnitude &* 10 &+ rng.next() % 10 }
        let clamped = Int64(truncatingIfNeeded: magnitude & UInt64(Int64.max))
        return rng.next() & 1 == 0 ? clamped : (clamped == 0 ? 0 : -clamped)
    }
}

/// The exact decimal value of a raw 9-digit fixed-point value, built by Foundation.Decimal.
func decimal(raw: Int64, fractionDigits: Int = 9) -> Decimal {
    Decimal(sign: raw < 0 ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(raw.magnitude))
}

/// The exact decimal value of a raw `Int128` (Money) value.
func decimal(raw: Int128, fractionDigits: Int = 18) -> Decimal {
    Decimal(string: String(raw))! * Decimal(sign: .plus, exponent: -fractionDigits, significand: 1)
}

/// The folder of real data beside the project (`../shared/data`), or `nil` with the reason.
func sharedDataFolder() -> URL? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TernCoreTests/Support.swift → project root
    let data = url.deletingLastPathComponent().appendingPathComponent("shared/data")
    return FileManager.default.fileExists(atPath: data.path) ? data : nil
}
