// libFuzzer target for the fixed-point parsers and the arithmetic fed by outside bytes.
// Compiled together with Sources/TernCore into one module by scripts/fuzz.sh. It checks
// properties, not just "no crash": any violated property traps, which libFuzzer reports.
//
// For every input:
// - Price/Quantity/Money.parse(utf8:) never trap; on success the canonical text parses back to
//   the same value, and the rounding parser agrees with the exact one under every rule;
// - on `tooManyFractionDigits`, the rounding parser's results are ordered:
//   down <= toNearest* <= up, towardZero and awayFromZero are down/up by sign, and up - down is
//   at most one raw unit;
// - the first 8 bytes as a Double convert under every rule without trapping, ordered the same way;
// - the first 24 bytes as raw price, quantity and multiplier give a notional or an overflow
//   error, never a trap, and tick rounding lands on a multiple of the tick.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrice(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    checkText(bytes, as: Price.self)
    checkText(bytes, as: Money.self)
    checkNumbers(bytes)
    return 0
}

func checkText<T: FixedPointNumber>(_ bytes: UnsafeRawBufferPointer, as: T.Type) {
    do {
        let value = try T.parse(utf8: bytes)
        let text = value.description
        guard let again = try? T.parse(text), again == value else { fatalError("round trip failed for \(text)") }
        for rule in RoundingRule.allCases {
            guard let rounded = try? T.parse(utf8: bytes, rounding: rule), rounded == value else {
                fatalError("rounding parser disagrees with the exact parser under \(rule)")
            }
        }
    } catch let error where error.kind == .tooManyFractionDigits {
        var results: [RoundingRule: T] = [:]
        for rule in RoundingRule.allCases {
            if let v = try? T.parse(utf8: bytes, rounding: rule) { results[rule] = v }
        }
        guard let down = results[.down], let up = results[.up] else { return }  // out of range at one end
        checkOrdered(down: down, up: up, results: results)
    } catch {
        // Any other error is a precise refusal; nothing to check beyond "did not trap".
        _ = error.description
    }
}

func checkOrdered<T: FixedPointNumber>(down: T, up: T, results: [RoundingRule: T]) {
    guard down <= up, up.rawValue - down.rawValue <= 1 else { fatalError("down \(down) / up \(up) not adjacent") }
    for rule in [RoundingRule.toNearestOrEven, .toNearestOrAwayFromZero, .towardZero, .awayFromZero] {
        if let v = results[rule], v != down && v != up { fatalError("\(rule) gave \(v) outside [\(down), \(up)]") }
    }
    if let tz = results[.towardZero], tz != (down.rawValue >= 0 ? down : up) { fatalError("towardZero wrong") }
}

func checkNumbers(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count >= 8 else { return }
    let d = Double(bitPattern: bytes.loadUnaligned(as: UInt64.self))
    var results: [RoundingRule: Price] = [:]
    for rule in RoundingRule.allCases {
        if let v = try? Price(d, rounding: rule) { results[rule] = v }
    }
    if let down = results[.down], let up = results[.up] { checkOrdered(down: down, up: up, results: results) }
    if !d.isFinite && !results.isEmpty { fatalError("non-finite Double converted") }

    guard bytes.count >= 24 else { return }
    let p = Price(rawValue: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
    let q = Quantity(rawValue: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
    let m = ContractMultiplier(rawValue: bytes.loadUnaligned(fromByteOffset: 16, as: Int64.self))
    for rule in RoundingRule.allCases {
        do {
            let notional = try Money.notional(price: p, quantity: q, multiplier: m, rounding: rule)
            if m.rawValue % ContractMultiplier.scale == 0 {
                let (exact, overflow) = Money(price: p, quantity: q).rawValue
                    .multipliedReportingOverflow(by: Int128(m.rawValue / ContractMultiplier.scale))
                if overflow || exact != notional.rawValue { fatalError("whole-multiplier notional inexact") }
            }
        } catch {
            if error.kind != .overflow { fatalError("notional threw \(error)") }
        }
        if let r = try? p.rounded(toMultipleOf: Price(rawValue: q.rawValue), rule) {
            if !r.isMultiple(of: Price(rawValue: q.rawValue)) { fatalError("tick rounding off tick") }
        }
    }
}
