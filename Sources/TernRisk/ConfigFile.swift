public import TernCore

// The risk configuration files (docs/risk.md#files): an instruments table (CSV with a header) and
// a limits file (`[section]` blocks of `key = value`). Parsed without Foundation; every error
// names the file, the line and the field. Unknown keys and columns are errors, so a misspelt
// limit cannot silently fall back to "no limit".

/// A parsed configuration plus the names the files gave to instruments, accounts and strategies.
public struct RiskSetup: Sendable {
    public var configuration: RiskConfiguration
    public var instrumentNames: [String]
    public var accountNames: [String]
    public var strategyNames: [String]

    public func instrument(_ name: String) -> InstrumentID? {
        instrumentNames.firstIndex(of: name).map { InstrumentID(rawValue: UInt32($0)) }
    }
    public func account(_ name: String) -> AccountID? {
        accountNames.firstIndex(of: name).map { AccountID(rawValue: UInt32($0)) }
    }
    public func strategy(_ name: String) -> StrategyID? {
        strategyNames.firstIndex(of: name).map { StrategyID(rawValue: UInt32($0)) }
    }

    /// Parses the two files. `limitsName` and `instrumentsName` only label errors.
    public static func parse(
        limits: [UInt8], limitsName: String = "limits", instruments: [UInt8], instrumentsName: String = "instruments"
    ) throws(RiskConfigError) -> RiskSetup {
        let sections = try parseSections(limits, limitsName)
        guard let firmSection = sections.first(where: { $0.kind == "firm" }) else {
            throw RiskConfigError(file: limitsName, line: 0, field: "[firm]", message: "missing the [firm] section")
        }
        let firmReader = SectionReader(section: firmSection, file: limitsName)
        let currency = try firmReader.currency("currency")
        let (instrumentList, names) = try parseInstruments(instruments, instrumentsName, currency)
        func symbols(_ r: SectionReader, _ key: String) throws(RiskConfigError) -> [InstrumentID] {
            var out: [InstrumentID] = []
            for (name, line) in try r.list(key) {
                guard let i = names.firstIndex(of: name) else {
                    throw RiskConfigError(file: limitsName, line: line, field: key, message: "unknown instrument \(String(reflecting: name))")
                }
                out.append(InstrumentID(rawValue: UInt32(i)))
            }
            return out
        }
        var firm = FirmLimits(
            currency: currency, maxWorkingOrders: try firmReader.int("max_working_orders"),
            creditLimit: try firmReader.money("credit_limit"), dailyLossLimit: try firmReader.money("daily_loss_limit"),
            submitRate: try firmReader.rate("submit_rate"))
        firm.modifyRate = try firmReader.rate("modify_rate", default: .unlimited)
        firm.cancelRate = try firmReader.rate("cancel_rate", default: .unlimited)
        firm.duplicateOrders = try firmReader.rate("duplicate_orders", default: .unlimited)
        // Required once an instrument is quoted in another currency (a missing limit would be no limit).
        if instrumentList.contains(where: { $0.spec.currency != currency }) || firmReader.has("fx_max_age") {
            firm.fxMaxAgeNanoseconds = try firmReader.duration("fx_max_age")
        }
        switch try firmReader.string("self_match", default: "account") {
        case "off": firm.selfMatch = .off
        case "account": firm.selfMatch = .account
        case "firm": firm.selfMatch = .firm
        case let other:
            throw RiskConfigError(file: limitsName, line: firmReader.line("self_match"), field: "self_match", message: "expected off, account or firm, got \(String(reflecting: other))")
        }
        let operators = try firmReader.list("operators").map(\.0)
        let restricted = try symbols(firmReader, "restricted")
        var capacity = RiskCapacity()
        capacity.workingOrders = try firmReader.int("capacity_working_orders", default: capacity.workingOrders)
        capacity.clientOrderIDs = try firmReader.int("capacity_client_order_ids", default: capacity.clientOrderIDs)
        capacity.executionIDs = try firmReader.int("capacity_execution_ids", default: capacity.executionIDs)
        capacity.closedOrders = try firmReader.int("capacity_closed_orders", default: capacity.closedOrders)
        capacity.duplicateEntries = try firmReader.int("capacity_duplicate_entries", default: capacity.duplicateEntries)
        let version = UInt32(try firmReader.int("version", default: 1))
        try firmReader.rejectUnknown()

        var accounts: [AccountLimits] = []
        var accountNames: [String] = []
        var permissions: [AccountID: [InstrumentID]] = [:]
        for s in sections where s.kind == "account" {
            let r = SectionReader(section: s, file: limitsName)
            guard !accountNames.contains(s.name) else {
                throw RiskConfigError(file: limitsName, line: s.line, field: "[account \(s.name)]", message: "defined twice")
            }
            let id = AccountID(rawValue: UInt32(accounts.count))
            var a = AccountLimits(
                id: id, maxWorkingOrders: try r.int("max_working_orders"), maxWorkingNotional: try r.money("max_working_notional"),
                creditLimit: try r.money("credit_limit"), dailyLossLimit: try r.money("daily_loss_limit"))
            a.submitRate = try r.rate("submit_rate", default: .unlimited)
            a.modifyRate = try r.rate("modify_rate", default: .unlimited)
            a.cancelRate = try r.rate("cancel_rate", default: .unlimited)
            a.rejectTrip = try r.rate("reject_trip", default: .unlimited)
            if r.has("permit") { permissions[id] = try symbols(r, "permit") }
            try r.rejectUnknown()
            accounts.append(a)
            accountNames.append(s.name)
        }
        var strategies: [StrategyLimits] = []
        var strategyNames: [String] = []
        var strategyAccounts: [StrategyID: [AccountID]] = [:]
        for s in sections where s.kind == "strategy" {
            let r = SectionReader(section: s, file: limitsName)
            guard !strategyNames.contains(s.name) else {
                throw RiskConfigError(file: limitsName, line: s.line, field: "[strategy \(s.name)]", message: "defined twice")
            }
            let id = StrategyID(rawValue: UInt32(strategies.count))
            var st = StrategyLimits(id: id, submitRate: try r.rate("submit_rate"), executionThrottle: try r.rate("execution_throttle"))
            st.enabled = try r.bool("enabled", default: true)
            st.modifyRate = try r.rate("modify_rate", default: .unlimited)
            st.attemptTrip = try r.rate("attempt_trip", default: .unlimited)
            if r.has("accounts") {
                var list: [AccountID] = []
                for (name, line) in try r.list("accounts") {
                    guard let k = accountNames.firstIndex(of: name) else {
                        throw RiskConfigError(file: limitsName, line: line, field: "accounts", message: "unknown account \(String(reflecting: name)) (define accounts before strategies)")
                    }
                    list.append(AccountID(rawValue: UInt32(k)))
                }
                strategyAccounts[id] = list
            }
            try r.rejectUnknown()
            strategies.append(st)
            strategyNames.append(s.name)
        }
        for s in sections where !["firm", "account", "strategy"].contains(s.kind) {
            throw RiskConfigError(file: limitsName, line: s.line, field: "[\(s.kind)]", message: "unknown section (expected [firm], [account NAME] or [strategy NAME])")
        }
        let configuration = RiskConfiguration(
            firm: firm, instruments: instrumentList, accounts: accounts, strategies: strategies, restricted: restricted,
            accountPermissions: permissions, strategyAccounts: strategyAccounts, operators: operators, capacity: capacity,
            version: version)
        do {
            try configuration.validate()
        } catch {
            var e = error
            e.file = "\(limitsName) + \(instrumentsName)"
            throw e
        }
        return RiskSetup(configuration: configuration, instrumentNames: names, accountNames: accountNames, strategyNames: strategyNames)
    }

    // MARK: - Instruments table

    static let instrumentColumns: Set<String> = [
        "symbol", "tick", "lot", "multiplier", "min_qty", "max_qty", "currency", "allow_negative", "max_order_qty",
        "max_order_notional", "max_long", "max_short", "band_ticks", "band_bps", "auction_band_ticks", "auction_band_bps",
        "aggressive_only", "max_reference_age", "drift_band_ticks", "drift_band_bps", "drift_window", "order_types", "tifs",
        "maker_fee_rate", "taker_fee_rate", "fee_per_unit",
    ]

    static func parseInstruments(_ bytes: [UInt8], _ file: String, _ firmCurrency: Currency) throws(RiskConfigError) -> ([InstrumentRisk], [String]) {
        let rows = CSV.rows(bytes)
        guard let (headerLine, header) = rows.first else {
            throw RiskConfigError(file: file, line: 0, field: "header", message: "empty file")
        }
        for (k, h) in header.enumerated() where !instrumentColumns.contains(h) {
            throw CSV.unknownColumn(file, headerLine, k, h)
        }
        var out: [InstrumentRisk] = []
        var names: [String] = []
        for (line, cells) in rows.dropFirst() {
            guard cells.count == header.count else {
                throw RiskConfigError(file: file, line: line, field: "row", message: "\(cells.count) cells, the header has \(header.count)")
            }
            var row: [String: String] = [:]
            for (h, c) in zip(header, cells) where !c.isEmpty { row[h] = c }
            let f = Fields(row: row, file: file, line: line)
            let symbolText = try f.required("symbol")
            guard !names.contains(symbolText) else { throw RiskConfigError(file: file, line: line, field: "symbol", message: "\(symbolText) is listed twice") }
            let symbol: Symbol
            do { symbol = try Symbol(symbolText) } catch { throw RiskConfigError(file: file, line: line, field: "symbol", message: error.description) }
            let currency = try f.currency("currency", firmCurrency)
            let lot: Quantity = try f.number("lot")
            let spec: InstrumentSpec
            do {
                spec = try InstrumentSpec(
                    id: InstrumentID(rawValue: UInt32(out.count)), symbol: symbol, tickSize: try f.number("tick"), lotSize: lot,
                    multiplier: try f.number("multiplier", default: .one), minQuantity: try f.optionalNumber("min_qty"),
                    maxQuantity: try f.number("max_qty"), currency: currency, allowsNegativePrices: try f.bool("allow_negative", default: false))
            } catch let error as RiskConfigError {
                throw error
            } catch {
                throw RiskConfigError(file: file, line: line, field: "instrument", message: "\(error)")
            }
            var types: [OrderType] = [.limit, .market]
            if let t = row["order_types"] {
                types = []
                for name in t.split(separator: " ").map(String.init) {
                    guard let v = OrderType.allCases.first(where: { $0.description == name }) else {
                        throw RiskConfigError(file: file, line: line, field: "order_types", message: "unknown order type \(String(reflecting: name)) (limit market stop stopLimit)")
                    }
                    types.append(v)
                }
            }
            var tifs = TimeInForce.allCases
            if let t = row["tifs"] {
                tifs = []
                for name in t.split(separator: " ").map(String.init) {
                    guard let v = TimeInForce.allCases.first(where: { $0.description == name }) else {
                        throw RiskConfigError(file: file, line: line, field: "tifs", message: "unknown time in force \(String(reflecting: name))")
                    }
                    tifs.append(v)
                }
            }
            let r = InstrumentRisk(
                spec: spec, capabilities: OrderCapabilities(orderTypes: types, timesInForce: tifs),
                maxOrderQuantity: try f.number("max_order_qty"), maxOrderNotional: try f.number("max_order_notional"),
                maxLong: try f.number("max_long"), maxShort: try f.number("max_short"),
                band: PriceBand(ticks: try f.optionalInt("band_ticks"), basisPoints: try f.optionalInt("band_bps")),
                auctionBand: PriceBand(ticks: try f.optionalInt("auction_band_ticks"), basisPoints: try f.optionalInt("auction_band_bps")),
                aggressiveOnlyBand: try f.bool("aggressive_only", default: false),
                maxReferenceAgeNanoseconds: try f.duration("max_reference_age"),
                driftBand: PriceBand(ticks: try f.optionalInt("drift_band_ticks"), basisPoints: try f.optionalInt("drift_band_bps")),
                driftWindowNanoseconds: row["drift_window"] == nil ? 0 : try f.duration("drift_window"),
                fees: FeeSchedule(
                    makerRate: try f.feeRate("maker_fee_rate"), takerRate: try f.feeRate("taker_fee_rate"),
                    perUnit: try f.number("fee_per_unit", default: .zero)))
            if !r.band.isConfigured {
                throw RiskConfigError(file: file, line: line, field: "band_ticks", message: "set band_ticks or band_bps (no band means no price is acceptable)")
            }
            out.append(r)
            names.append(symbolText)
        }
        return (out, names)
    }

    // MARK: - Limits file

    struct Section {
        var kind: String
        var name: String
        var line: Int
        var entries: [(key: String, value: String, line: Int)]
    }

    static func parseSections(_ bytes: [UInt8], _ file: String) throws(RiskConfigError) -> [Section] {
        var sections: [Section] = []
        for (number, raw) in CSV.lines(bytes) {
            var text = raw
            if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
            text = CSV.trim(text)
            if text.isEmpty { continue }
            if text.hasPrefix("[") {
                guard text.hasSuffix("]") else { throw RiskConfigError(file: file, line: number, field: "section", message: "expected [name]") }
                let inner = CSV.trim(String(text.dropFirst().dropLast()))
                let parts = inner.split(separator: " ", maxSplits: 1).map { CSV.trim(String($0)) }
                guard let kind = parts.first, !kind.isEmpty else {
                    throw RiskConfigError(file: file, line: number, field: "section", message: "empty section name")
                }
                let name = parts.count > 1 ? parts[1] : ""
                if kind != "firm", name.isEmpty {
                    throw RiskConfigError(file: file, line: number, field: "[\(kind)]", message: "needs a name: [\(kind) NAME]")
                }
                if kind == "firm", sections.contains(where: { $0.kind == "firm" }) {
                    throw RiskConfigError(file: file, line: number, field: "[firm]", message: "defined twice")
                }
                sections.append(Section(kind: kind, name: name, line: number, entries: []))
                continue
            }
            guard let eq = text.firstIndex(of: "=") else {
                throw RiskConfigError(file: file, line: number, field: "line", message: "expected key = value or [section]")
            }
            guard !sections.isEmpty else { throw RiskConfigError(file: file, line: number, field: "line", message: "a setting before any [section]") }
            let key = CSV.trim(String(text[..<eq]))
            let value = CSV.trim(String(text[text.index(after: eq)...]))
            guard !key.isEmpty else {
                throw RiskConfigError(file: file, line: number, field: "line", message: "a setting without a name (expected key = value)")
            }
            if sections[sections.count - 1].entries.contains(where: { $0.key == key }) {
                throw RiskConfigError(file: file, line: number, field: key, message: "set twice in this section")
            }
            sections[sections.count - 1].entries.append((key, value, number))
        }
        return sections
    }

    final class SectionReader {
        let section: Section
        let file: String
        var used: Set<String> = []
        init(section: Section, file: String) {
            self.section = section
            self.file = file
        }
        var label: String { section.name.isEmpty ? section.kind : "\(section.kind) \(section.name)" }
        func has(_ key: String) -> Bool { section.entries.contains { $0.key == key } }
        func line(_ key: String) -> Int { section.entries.first { $0.key == key }?.line ?? section.line }
        func raw(_ key: String) throws(RiskConfigError) -> (String, Int)? {
            used.insert(key)
            return section.entries.first { $0.key == key }.map { ($0.value, $0.line) }
        }
        func require(_ key: String) throws(RiskConfigError) -> (String, Int) {
            guard let v = try raw(key) else {
                throw RiskConfigError(file: file, line: section.line, field: "[\(label)] \(key)", message: "required (a missing limit would be no limit)")
            }
            return v
        }
        func fail(_ key: String, _ line: Int, _ message: String) -> RiskConfigError {
            RiskConfigError(file: file, line: line, field: "[\(label)] \(key)", message: message)
        }
        func int(_ key: String, default value: Int? = nil) throws(RiskConfigError) -> Int {
            guard let (text, line) = value == nil ? try require(key) : try raw(key) else { return value! }
            guard let v = Int(text.filter { $0 != "_" }) else { throw fail(key, line, "expected an integer, got \(String(reflecting: text))") }
            return v
        }
        func money(_ key: String) throws(RiskConfigError) -> Money {
            let (text, line) = try require(key)
            do { return try Money.parse(text.filter { $0 != "_" }) } catch { throw fail(key, line, error.description) }
        }
        func string(_ key: String, default value: String) throws(RiskConfigError) -> String {
            try raw(key)?.0 ?? value
        }
        func bool(_ key: String, default value: Bool) throws(RiskConfigError) -> Bool {
            guard let (text, line) = try raw(key) else { return value }
            switch text {
            case "true", "yes": return true
            case "false", "no": return false
            default: throw fail(key, line, "expected true or false, got \(String(reflecting: text))")
            }
        }
        func currency(_ key: String) throws(RiskConfigError) -> Currency {
            let (text, line) = try require(key)
            return try CSV.currency(text) { m throws(RiskConfigError) in throw fail(key, line, m) }
        }
        func rate(_ key: String, default value: RateLimit? = nil) throws(RiskConfigError) -> RateLimit {
            guard let (text, line) = value == nil ? try require(key) : try raw(key) else { return value! }
            if text == "unlimited" { return .unlimited }
            let parts = text.split(separator: "/").map { CSV.trim(String($0)) }
            guard parts.count == 2, let n = Int(parts[0]), n >= 0, let w = CSV.duration(parts[1]), w > 0 else {
                throw fail(key, line, "expected COUNT/DURATION such as 100/1s, 5/500ms, or unlimited; got \(String(reflecting: text))")
            }
            return RateLimit(count: n, windowNanoseconds: w)
        }
        func duration(_ key: String) throws(RiskConfigError) -> Int64 {
            let (text, line) = try require(key)
            guard let v = CSV.duration(text), v > 0 else {
                throw fail(key, line, "expected a positive duration such as 500ms, 5s, 1m; got \(String(reflecting: text))")
            }
            return v
        }
        func list(_ key: String) throws(RiskConfigError) -> [(String, Int)] {
            guard let (text, line) = try raw(key) else { return [] }
            return text.split(separator: ",").map { (CSV.trim(String($0)), line) }.filter { !$0.0.isEmpty }
        }
        func rejectUnknown() throws(RiskConfigError) {
            for e in section.entries where !used.contains(e.key) {
                throw RiskConfigError(file: file, line: e.line, field: "[\(label)] \(e.key)", message: "unknown setting")
            }
        }
    }

    /// One CSV row by column name, read with errors naming the file, line and column (the
    /// instruments table here, the tape in `RiskTape`).
    struct Fields {
        let row: [String: String]
        let file: String
        let line: Int
        /// The message for a missing required cell.
        var missing = "required"
        func fail(_ key: String, _ message: String) -> RiskConfigError {
            RiskConfigError(file: file, line: line, field: key, message: message)
        }
        func required(_ key: String) throws(RiskConfigError) -> String {
            guard let v = row[key] else { throw fail(key, missing) }
            return v
        }
        func number<T: FixedPointNumber>(_ key: String, default value: T? = nil) throws(RiskConfigError) -> T {
            guard let text = row[key] else {
                if let value { return value }
                throw fail(key, missing)
            }
            do { return try T.parse(text) } catch { throw fail(key, error.description) }
        }
        func optionalNumber<T: FixedPointNumber>(_ key: String) throws(RiskConfigError) -> T? {
            guard row[key] != nil else { return nil }
            return try number(key) as T
        }
        /// A fraction (of notional) with up to nine decimals, in 10^-9 units; 0 when absent.
        func feeRate(_ key: String) throws(RiskConfigError) -> Int64 {
            guard row[key] != nil else { return 0 }
            let r: Price = try number(key)
            guard r.rawValue.magnitude <= 1_000_000_000 else { throw fail(key, "a fee rate is a fraction of notional between -1 and 1, got \(r)") }
            return r.rawValue
        }
        func optionalInt(_ key: String) throws(RiskConfigError) -> Int64? {
            guard let text = row[key] else { return nil }
            guard let v = Int64(text), v >= 0 else { throw fail(key, "expected a non-negative integer, got \(String(reflecting: text))") }
            return v
        }
        func bool(_ key: String, default value: Bool) throws(RiskConfigError) -> Bool {
            guard let text = row[key] else { return value }
            switch text {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: throw fail(key, "expected true or false, got \(String(reflecting: text))")
            }
        }
        func duration(_ key: String) throws(RiskConfigError) -> Int64 {
            let text = try required(key)
            guard let v = CSV.duration(text), v > 0 else { throw fail(key, "expected a positive duration such as 500ms, 5s, 100us; got \(String(reflecting: text))") }
            return v
        }
        func currency(_ key: String, _ fallback: Currency) throws(RiskConfigError) -> Currency {
            guard let text = row[key] else { return fallback }
            return try CSV.currency(text) { m throws(RiskConfigError) in throw fail(key, m) }
        }
    }
}

/// Small text helpers shared by the configuration and tape readers.
enum CSV {
    /// Lines with their 1-based numbers (LF or CRLF).
    static func lines(_ bytes: [UInt8]) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var start = 0
        var number = 1
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            var end = i
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            if i < bytes.count || end > start { out.append((number, String(decoding: bytes[start..<end], as: UTF8.self))) }
            start = i + 1
            number += 1
        }
        return out
    }

    /// Non-empty, non-comment lines split on commas, cells trimmed.
    static func rows(_ bytes: [UInt8]) -> [(Int, [String])] {
        lines(bytes).compactMap { (n, text) in
            let t = trim(text)
            if t.isEmpty || t.hasPrefix("#") { return nil }
            return (n, t.split(separator: ",", omittingEmptySubsequences: false).map { trim(String($0)) })
        }
    }

    /// The error for a header cell that names no known column (an empty cell is named by position).
    static func unknownColumn(_ file: String, _ line: Int, _ index: Int, _ name: String) -> RiskConfigError {
        RiskConfigError(
            file: file, line: line, field: name.isEmpty ? "column \(index + 1)" : name,
            message: "unknown column \(String(reflecting: name))")
    }

    static func trim(_ s: String) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub = sub.dropFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub = sub.dropLast() }
        return String(sub)
    }

    /// `500ms`, `5s`, `100us`, `250ns`, `1m`, `1h` → nanoseconds; nil if malformed or out of range.
    static func duration(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let digits = String(text.dropLast(suffix.count))
            guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let v = Int64(digits) else { continue }
            let (r, o) = v.multipliedReportingOverflow(by: scale)
            return o ? nil : r
        }
        return nil
    }

    /// `USD` (2 decimals assumed for the common codes) or `CODE:EXPONENT` (`USDT:8`).
    static func currency(_ text: String, _ fail: (String) throws(RiskConfigError) -> Never) throws(RiskConfigError) -> Currency {
        let parts = text.split(separator: ":").map(String.init)
        let known: [String: Currency] = ["USD": .usd, "EUR": .eur, "GBP": .gbp, "JPY": .jpy, "USDT": .usdt, "BTC": .btc]
        if parts.count == 1, let c = known[parts[0]] { return c }
        guard parts.count == 2, let e = Int(parts[1]) else { try fail("expected a known code (USD EUR GBP JPY USDT BTC) or CODE:EXPONENT, got \(String(reflecting: text))") }
        do { return try Currency(code: parts[0], minorUnitExponent: e) } catch { try fail(error.description) }
    }
}
