public import CTern
import TernCore

// Fixed-point parse, format, rounding and notional (TernCore.Price, Quantity, Money).

extension tern_money_t {
    init(_ value: Int128) {
        self.init(lo: UInt64(truncatingIfNeeded: value), hi: Int64(truncatingIfNeeded: value >> 64))
    }
    var int128: Int128 { Int128(hi) << 64 | Int128(lo) }
}

extension Money {
    var c: tern_money_t { tern_money_t(rawValue) }
}

/// The rounding rule for a TERN_ROUND_* code.
func roundingRule(_ code: Int32) -> RoundingRule? { UInt8(exactly: code).flatMap(RoundingRule.init(rawValue:)) }

@inline(__always)
func parse<T: FixedPointNumber>(
    _ type: T.Type, _ text: UnsafePointer<CChar>?, _ length: Int, _ rule: RoundingRule?, _ out: UnsafeMutablePointer<T.RawValue>?,
    _ function: StaticString
) -> tern_status_t {
    guard let out else { return null("out", function) }
    guard let text else { return length == 0 ? fail(TERN_E_PARSE, "\(name(function)): empty text") : null("text", function) }
    let bytes = UnsafeRawBufferPointer(start: text, count: length)
    do throws(FixedPointError) {
        let value = if let rule { try T.parse(utf8: bytes, rounding: rule) } else { try T.parse(utf8: bytes) }
        out.pointee = value.rawValue
        return TERN_OK
    } catch {
        let shown = String(decoding: bytes.prefix(64), as: UTF8.self)
        return fail(error.kind == .overflow ? TERN_E_OVERFLOW : TERN_E_PARSE, "\(name(function)): \(String(reflecting: shown)): \(error)")
    }
}

@inline(__always)
func format<T: FixedPointNumber>(
    _ value: T, _ minimumFractionDigits: UInt32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ outLength: UnsafeMutablePointer<Int>?,
    _ function: StaticString
) -> tern_status_t {
    guard let buffer else { return null("buffer", function) }
    // Format on the stack, then copy: the caller's buffer may be shorter than the longest text.
    return withUnsafeTemporaryAllocation(byteCount: 64, alignment: 1) { scratch in
        let n = value.writeDecimal(into: scratch, minimumFractionDigits: Int(min(minimumFractionDigits, 64)))!
        outLength?.pointee = n
        guard capacity > n else {
            return fail(TERN_E_TOO_SMALL, "\(name(function)): the text needs \(n + 1) bytes with its NUL; the buffer has \(capacity)")
        }
        UnsafeMutableRawPointer(buffer).copyMemory(from: scratch.baseAddress!, byteCount: n)
        buffer[n] = 0
        return TERN_OK
    }
}

@c @implementation
public func tern_price_parse(_ text: UnsafePointer<CChar>?, _ length: Int, _ out_price: UnsafeMutablePointer<tern_price_t>?) -> tern_status_t {
    parse(Price.self, text, length, nil, out_price, #function)
}

@c @implementation
public func tern_quantity_parse(_ text: UnsafePointer<CChar>?, _ length: Int, _ out_quantity: UnsafeMutablePointer<tern_quantity_t>?) -> tern_status_t {
    parse(Quantity.self, text, length, nil, out_quantity, #function)
}

@c @implementation
public func tern_money_parse(_ text: UnsafePointer<CChar>?, _ length: Int, _ out_money: UnsafeMutablePointer<tern_money_t>?) -> tern_status_t {
    guard let out_money else { return null("out_money") }
    var raw: Int128 = 0
    let status = parse(Money.self, text, length, nil, &raw, #function)
    if status == TERN_OK { out_money.pointee = tern_money_t(raw) }
    return status
}

@c @implementation
public func tern_price_parse_rounded(_ text: UnsafePointer<CChar>?, _ length: Int, _ rounding: Int32, _ out_price: UnsafeMutablePointer<tern_price_t>?) -> tern_status_t {
    guard let rule = roundingRule(rounding) else { return fail(TERN_E_INVALID, "tern_price_parse_rounded: rounding \(rounding) is not a TERN_ROUND_* code") }
    return parse(Price.self, text, length, rule, out_price, #function)
}

@c @implementation
public func tern_price_format(
    _ price: tern_price_t, _ min_fraction_digits: UInt32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ out_length: UnsafeMutablePointer<Int>?
) -> tern_status_t {
    format(Price(rawValue: price), min_fraction_digits, buffer, capacity, out_length, #function)
}

@c @implementation
public func tern_quantity_format(
    _ quantity: tern_quantity_t, _ min_fraction_digits: UInt32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ out_length: UnsafeMutablePointer<Int>?
) -> tern_status_t {
    format(Quantity(rawValue: quantity), min_fraction_digits, buffer, capacity, out_length, #function)
}

@c @implementation
public func tern_money_format(
    _ money: tern_money_t, _ min_fraction_digits: UInt32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ out_length: UnsafeMutablePointer<Int>?
) -> tern_status_t {
    format(Money(rawValue: money.int128), min_fraction_digits, buffer, capacity, out_length, #function)
}

@c @implementation
public func tern_money_from_units(_ whole: Int64) -> tern_money_t { tern_money_t(Int128(whole) * Money.scale) }

@c @implementation
public func tern_price_round(_ price: tern_price_t, _ increment: tern_price_t, _ rounding: Int32, _ out_price: UnsafeMutablePointer<tern_price_t>?) -> tern_status_t {
    guard let out_price else { return null("out_price") }
    guard let rule = roundingRule(rounding) else { return fail(TERN_E_INVALID, "tern_price_round: rounding \(rounding) is not a TERN_ROUND_* code") }
    guard increment > 0 else { return fail(TERN_E_INVALID, "tern_price_round: increment \(increment) is not positive") }
    do throws(FixedPointError) {
        return ok(out_price, try Price(rawValue: price).rounded(toMultipleOf: Price(rawValue: increment), rule).rawValue)
    } catch {
        return fail(TERN_E_OVERFLOW, "tern_price_round: \(error)")
    }
}

@c @implementation
public func tern_notional(_ price: tern_price_t, _ quantity: tern_quantity_t, _ multiplier: Int64, _ out_money: UnsafeMutablePointer<tern_money_t>?) -> tern_status_t {
    guard let out_money else { return null("out_money") }
    do throws(FixedPointError) {
        let m = try Money.notional(
            price: Price(rawValue: price), quantity: Quantity(rawValue: quantity), multiplier: ContractMultiplier(rawValue: multiplier), rounding: .awayFromZero)
        return ok(out_money, m.c)
    } catch {
        return fail(TERN_E_OVERFLOW, "tern_notional: \(error)")
    }
}
