import TernCore

// Multi-currency limits (notes §3.2, §3.3: "unknown FX rate for a multi-currency limit" denies).
//
// Account and firm money limits (working notional, credit, daily loss) are in the firm currency.
// An instrument quoted in another currency keeps its own amounts in that currency: its per-order
// limit (`max_order_notional`, `fee_per_unit`) and every position's notional, cost, P&L and fees.
// Per (account, foreign currency) a bucket holds the account's sums in that currency and what they
// were last converted to; the account and firm totals the checks read are always
//
//     Σ firm-currency amounts + Σ over foreign currencies convert(bucket sum)
//
// kept exactly by adding (new conversion − old conversion) whenever a bucket or its rate changes.
// So the check path reads the same totals as in a single-currency book, and a new rate revalues
// every bucket at once (then runs the daily-loss triggers, as a new mark does).
//
// Conversions round against the firm: exposures (working notional, marked value, fees) up, P&L down.
// A rate is firm-currency units per one unit of the foreign currency, at 10^-9 (a `Price`).
// Fail closed: an order is denied (`fx_rate_unavailable`) when its own currency, or any foreign
// currency the firm has held during the day, has no rate or one older than `FirmLimits.fxMaxAge`.

/// Which money sum an event changes.
enum MoneyField: CaseIterable {
    case workingNotional, markValue, realized, fees, unrealizedChange

    /// Exposures and costs round up when converted; P&L rounds down.
    var roundsUp: Bool {
        switch self {
        case .workingNotional, .markValue, .fees: true
        case .realized, .unrealizedChange: false
        }
    }
}

extension ExposureTotals {
    /// One money sum (a bucket keeps the same fields in its currency; the counts stay 0 there).
    @inline(__always)
    subscript(_ field: MoneyField) -> Int128 {
        get {
            switch field {
            case .workingNotional: workingNotional
            case .markValue: markValue
            case .realized: realized
            case .fees: fees
            case .unrealizedChange: unrealizedChange
            }
        }
        set {
            switch field {
            case .workingNotional: workingNotional = newValue
            case .markValue: markValue = newValue
            case .realized: realized = newValue
            case .fees: fees = newValue
            case .unrealizedChange: unrealizedChange = newValue
            }
        }
    }
}

/// One foreign currency's rate.
struct FXRate {
    var currency: Currency
    /// Firm-currency units per unit, at 10^-9; valid when `known`.
    var rate: Int64 = 0
    var stamp: Int64 = 0
    var known = false
}

/// Per (account, foreign currency): the sums in that currency and their last conversions.
struct CurrencyBucket {
    var native = ExposureTotals()
    var converted = ExposureTotals()
}

/// The most foreign currencies one engine takes (the held set is a 64-bit mask; index 0 is the
/// firm currency).
let maximumForeignCurrencies = 63

/// `amount × rate / 10^9`, rounded up or down; nil on overflow.
@inline(__always)
func convertMoney(_ amount: Int128, rate: Int64, up: Bool) -> Int128? {
    let scale: Int128 = 1_000_000_000
    let r = Int128(rate)
    // amount = q·10^9 + m with 0 ≤ m < 10^9 (floor division), so amount·r/10^9 = q·r + m·r/10^9.
    var q = amount / scale
    var m = amount % scale
    if m < 0 {
        q &-= 1
        m &+= scale
    }
    let (whole, overflow) = q.multipliedReportingOverflow(by: r)
    if overflow { return nil }
    let part = m &* r  // < 10^9 · 2^63: no overflow
    var fraction = part / scale
    if up && part % scale != 0 { fraction &+= 1 }
    let (sum, o2) = whole.addingReportingOverflow(fraction)
    return o2 ? nil : sum
}

extension RiskCore {
    /// Adds `d` (in instrument `i`'s currency) to `field` of account `a`, and the converted change
    /// to the account and firm totals.
    @inline(__always)
    mutating func addMoney(_ a: Int, instrument i: Int, _ field: MoneyField, _ d: Int128) {
        let c = Int(hot[i].currency)
        if c == 0 {
            accountTotals[a][field] &+= d
            firmTotals[field] &+= d
        } else {
            addForeign(a, c, field, d)
        }
    }

    mutating func addForeign(_ a: Int, _ c: Int, _ field: MoneyField, _ d: Int128) {
        let b = buckets + a * (foreignCount + 1) + c
        b.pointee.native[field] &+= d
        fxHeld |= 1 << UInt64(c)
        reconvert(b, a, c, field)
    }

    /// Brings the conversion of one bucket sum up to date and moves the totals by the change.
    /// With no usable rate the conversion is left as it was (orders are denied until one arrives).
    @inline(__always)
    mutating func reconvert(_ b: UnsafeMutablePointer<CurrencyBucket>, _ a: Int, _ c: Int, _ field: MoneyField) {
        let fx = fxRates[c]
        guard fx.known else { return }
        let native = b.pointee.native[field]
        // On overflow the conversion saturates in the direction that denies.
        let converted = convertMoney(native, rate: fx.rate, up: field.roundsUp)
            ?? ((native < 0) == field.roundsUp ? Int128.min / 4 : Int128.max / 4)
        let delta = converted &- b.pointee.converted[field]
        if delta == 0 { return }
        b.pointee.converted[field] = converted
        accountTotals[a][field] &+= delta
        firmTotals[field] &+= delta
    }

    /// A new rate for foreign currency `c`: revalue every account's bucket, then the daily-loss
    /// triggers. A rate that is not positive makes the currency unknown (its orders are denied).
    mutating func updateFX(_ c: Int, rate: Int64, _ now: Int64) {
        guard rate > 0 else {
            fxRates[c].known = false
            return
        }
        fxRates[c].rate = rate
        fxRates[c].stamp = now
        fxRates[c].known = true
        for a in 0..<accountCount {
            let b = buckets + a * (foreignCount + 1) + c
            for field in MoneyField.allCases { reconvert(b, a, c, field) }
        }
        if fxHeld & (1 << UInt64(c)) != 0 {
            for a in 0..<accountCount { checkLoss(account: a, now) }
            checkFirmLoss(now)
        }
    }

    /// The index (1...foreignCount) of a foreign currency; nil for the firm's or an unused one.
    func foreignIndex(_ currency: Currency) -> Int? {
        (1..<(foreignCount + 1)).first { fxRates[$0].currency == currency }
    }

    /// The foreign currencies a new order of instrument `i` depends on all have a fresh rate; if
    /// not, the denial. Free for a single-currency book (an empty mask).
    @inline(__always)
    func fxDenial(_ i: Int, _ now: Int64) -> RiskDecision? {
        var mask = fxHeld | (1 << UInt64(hot[i].currency))
        mask &= ~1
        if mask == 0 { return nil }
        return Self.fxCheck(mask, now, fxRates, firm.fxMaxAgeNanoseconds)
    }

    /// Static, and given only what it reads: an out-of-line call that took `self` would make the
    /// caller copy the whole engine state (~1 KB) to pass it.
    static func fxCheck(_ mask: UInt64, _ now: Int64, _ rates: UnsafeMutablePointer<FXRate>, _ maxAge: Int64) -> RiskDecision? {
        var m = mask
        while m != 0 {
            let c = m.trailingZeroBitCount
            m &= m &- 1
            let fx = rates[c]
            if !fx.known { return RiskDecision(reason: .fxRateUnavailable, limit: .fxRate, limitValue: Int128(maxAge), value: -1) }
            let age = now &- fx.stamp
            if age > maxAge {
                return RiskDecision(reason: .fxRateUnavailable, limit: .fxRate, limitValue: Int128(maxAge), value: Int128(age))
            }
        }
        return nil
    }

    /// `n` in instrument `i`'s currency, in the firm currency (rounded up). Call after `fxDenial`
    /// passed, so a foreign rate is known.
    @inline(__always)
    func firmAmount(_ i: Int, _ n: Int128) -> Int128? {
        let c = Int(hot[i].currency)
        if c == 0 { return n }
        return convertMoney(n, rate: fxRates[c].rate, up: true)
    }

    /// A new trading day: the P&L parts of the buckets restart with the totals'.
    mutating func resetForeignDay() {
        guard foreignCount > 0 else { return }
        // The held set restarts with the currencies still in use (a position or a working order).
        fxHeld = 0
        for a in 0..<accountCount {
            for c in 1...foreignCount {
                let b = buckets + a * (foreignCount + 1) + c
                for field in [MoneyField.realized, .fees, .unrealizedChange] {
                    b.pointee.native[field] = 0
                    b.pointee.converted[field] = 0
                }
                if b.pointee.native.workingNotional != 0 || b.pointee.native.markValue != 0 { fxHeld |= 1 << UInt64(c) }
            }
        }
    }
}
