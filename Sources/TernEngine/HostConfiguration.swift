/// The reference host's configuration file (`tern run --config FILE`; format in
/// docs/engine.md#configuration): INI-style sections of `key = value` lines, `#` comments.
///
/// Parsing is strict: an unknown section or key, a missing required key or a malformed value is
/// an error naming the file, line, section and key. Paths are returned as written; the host
/// resolves them against the file's folder.
public struct HostConfiguration: Sendable, Equatable {
    public enum DataFormat: String, Sendable, CaseIterable { case dbn, binance, bybit, itch, ring, synthetic }
    public enum ThreadMode: String, Sendable, CaseIterable { case auto, single, threaded }

    // [data]
    public var format: DataFormat = .synthetic
    public var file: String? = nil
    /// The instrument traded, as the feed and the instruments table spell it.
    public var symbol: String = SyntheticMarket.symbol
    public var maxEvents: Int = 0
    /// Synthetic market size and seed.
    public var syntheticMessages = 1_000_000
    public var seed: UInt64 = 20_260_105
    /// The session date of an ITCH file (its times are since midnight): nanoseconds since the
    /// epoch at that midnight, UTC. `[data] date = YYYY-MM-DD`.
    public var sessionDate: Int64 = 0
    /// `format = ring`: the book the producer's events build (`[data] book = l3 | l2`) and how
    /// long to wait for the producer to create and format the ring (`[data] wait = 5s`).
    public var ringBook: BookKind = .l3
    public var ringWaitNanoseconds: Int64 = 0

    // [risk]
    public var limits: String? = nil
    public var instruments: String? = nil
    public var account = "main"
    public var strategyName = "sample"

    // [model]
    public var model: String? = nil

    // [strategy]
    public var strategy = SampleStrategy.Parameters()

    // [venue]
    public var venue = VenueOptions()

    // [journal]
    /// nil: a new temporary directory.
    public var journal: String? = nil

    // [threads]
    public var threads: ThreadMode = .auto
    public var feedCPU: Int? = nil
    public var engineCPU: Int? = nil
    public var gatewayCPU: Int? = nil
    public var journalCPU: Int? = nil
    /// Hand the engine one venue message at a time (tick-to-order without replay queueing).
    public var lockstep = true

    // [admin]
    /// `host:port` to listen on; nil: no admin interface.
    public var adminListen: String? = nil
    /// The name of the environment variable holding the admin token.
    public var adminTokenEnvironment: String = "TERN_ADMIN_TOKEN"
    /// The token itself (prefer the environment).
    public var adminToken: String? = nil
    /// Seconds to keep the admin interface up after the run (to read the final status).
    public var adminHoldSeconds: Double = 0

    public init() {}

    /// Parses `text`; `name` labels errors.
    public static func parse(_ text: String, name: String = "config") throws(ConfigError) -> HostConfiguration {
        var c = HostConfiguration()
        var section = ""
        var seen: Set<String> = []
        var sawFile = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = n + 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else { throw ConfigError(name, lineNumber, trimmed, "a section header ends with ]") }
                section = String(trimmed.dropFirst().dropLast()).trimmingSpaces
                guard Self.sections.contains(section) else {
                    throw ConfigError(name, lineNumber, "[\(section)]", "unknown section (expected one of \(Self.sections.sorted().map { "[\($0)]" }.joined(separator: ", ")))")
                }
                continue
            }
            guard let eq = trimmed.firstIndex(of: "=") else { throw ConfigError(name, lineNumber, trimmed, "expected key = value") }
            let key = String(trimmed[..<eq]).trimmingSpaces
            let value = String(trimmed[trimmed.index(after: eq)...]).trimmingSpaces
            guard !key.isEmpty else {
                throw ConfigError(name, lineNumber, section.isEmpty ? "(before any section)" : "[\(section)]", "a line starts with = (no key)")
            }
            guard !section.isEmpty else { throw ConfigError(name, lineNumber, key, "a key before any [section]") }
            let field = "[\(section)] \(key)"
            guard seen.insert(field).inserted else { throw ConfigError(name, lineNumber, field, "given twice") }
            func fail(_ message: String) -> ConfigError { ConfigError(name, lineNumber, field, message) }
            func int(_ range: ClosedRange<Int> = 0...Int.max) throws(ConfigError) -> Int {
                guard let v = Int(value.replacingUnderscores), range.contains(v) else { throw fail("expected a whole number in \(range.lowerBound)...\(range.upperBound == Int.max ? "" : String(range.upperBound)), got \(String(reflecting: value))") }
                return v
            }
            func double() throws(ConfigError) -> Double {
                guard let v = Double(value), v.isFinite else { throw fail("expected a number, got \(String(reflecting: value))") }
                return v
            }
            func bool() throws(ConfigError) -> Bool {
                switch value {
                case "true", "yes", "on": return true
                case "false", "no", "off": return false
                default: throw fail("expected true or false, got \(String(reflecting: value))")
                }
            }
            func cpu() throws(ConfigError) -> Int? { value == "none" || value.isEmpty ? nil : try int(0...4095) }
            func path() throws(ConfigError) -> String {
                guard !value.isEmpty else { throw fail("expected a path") }
                return value
            }
            switch (section, key) {
            case ("data", "format"):
                guard let f = DataFormat(rawValue: value) else { throw fail("expected one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \(String(reflecting: value))") }
                c.format = f
            case ("data", "file"): c.file = try path(); sawFile = true
            case ("data", "symbol"):
                guard !value.isEmpty else { throw fail("expected a symbol") }
                c.symbol = value
            case ("data", "max_events"): c.maxEvents = try int()
            case ("data", "messages"): c.syntheticMessages = try int(1...1_000_000_000)
            case ("data", "seed"): c.seed = UInt64(try int())
            case ("data", "date"):
                guard let days = Self.daysSinceEpoch(value) else { throw fail("expected a date YYYY-MM-DD (1970-01-01 … 2199-12-31), got \(String(reflecting: value))") }
                c.sessionDate = days * 86_400_000_000_000
            case ("data", "book"):
                guard let kind = BookKind(rawValue: value) else { throw fail("expected l3 or l2, got \(String(reflecting: value))") }
                c.ringBook = kind
            case ("data", "wait"):
                guard let ns = Self.duration(value) else { throw fail("expected a duration such as 5s, 500ms or 0, got \(String(reflecting: value))") }
                c.ringWaitNanoseconds = ns
            case ("risk", "limits"): c.limits = try path()
            case ("risk", "instruments"): c.instruments = try path()
            case ("risk", "account"): c.account = value
            case ("risk", "strategy"): c.strategyName = value
            case ("model", "file"): c.model = try path()
            case ("strategy", "threshold"): c.strategy.threshold = try double()
            case ("strategy", "aggressive"): c.strategy.aggressive = try double()
            case ("strategy", "risk_budget"): c.strategy.riskBudget = try double()
            case ("strategy", "max_position"): c.strategy.maxPosition = try int(0...1_000_000)
            case ("strategy", "order_size"): c.strategy.orderSize = try int(1...1_000_000)
            case ("strategy", "patience"): c.strategy.patience = try int(1...Int.max)
            case ("strategy", "volatility_floor"): c.strategy.volatilityFloor = try double()
            case ("strategy", "cooldown"): c.strategy.cooldown = try int(0...Int.max)
            case ("venue", "latency"):
                guard let ns = Self.duration(value) else { throw fail("expected a duration such as 50us, 1ms or 0, got \(String(reflecting: value))") }
                c.venue.latencyNanoseconds = ns
            case ("venue", "queue_position"): c.venue.queuePosition = try bool()
            case ("venue", "maker_fee_bps"): c.venue.makerRate = Int64((try double() * 100_000).rounded())
            case ("venue", "taker_fee_bps"): c.venue.takerRate = Int64((try double() * 100_000).rounded())
            case ("journal", "directory"): c.journal = try path()
            case ("threads", "mode"):
                guard let m = ThreadMode(rawValue: value) else { throw fail("expected auto, single or threaded, got \(String(reflecting: value))") }
                c.threads = m
            case ("threads", "feed_cpu"): c.feedCPU = try cpu()
            case ("threads", "engine_cpu"): c.engineCPU = try cpu()
            case ("threads", "gateway_cpu"): c.gatewayCPU = try cpu()
            case ("threads", "journal_cpu"): c.journalCPU = try cpu()
            case ("threads", "lockstep"): c.lockstep = try bool()
            case ("admin", "listen"):
                guard Self.listenAddress(value) != nil else { throw fail("expected host:port on a loopback address (127.0.0.1:9464), got \(String(reflecting: value))") }
                c.adminListen = value
            case ("admin", "token_env"): c.adminTokenEnvironment = value
            case ("admin", "hold"):
                c.adminHoldSeconds = try double()
                guard c.adminHoldSeconds >= 0, c.adminHoldSeconds <= 86_400 else { throw fail("expected 0 to 86400 seconds") }
            case ("admin", "token"):
                guard value.count >= 16 else { throw fail("a token needs at least 16 characters") }
                c.adminToken = value
            default:
                throw fail("unknown key in [\(section)]")
            }
        }
        if c.format != .synthetic && !sawFile { throw ConfigError(name, 0, "[data] file", "required for format \(c.format.rawValue)") }
        if c.format != .synthetic && (c.limits == nil || c.instruments == nil) {
            throw ConfigError(name, 0, c.limits == nil ? "[risk] limits" : "[risk] instruments", "required for replayed data (the built-in limits cover only the synthetic market)")
        }
        return c
    }

    static let sections: Set<String> = ["data", "risk", "model", "strategy", "venue", "journal", "threads", "admin"]

    /// `50us`, `1ms`, `2s`, `100ns`, `0` → nanoseconds.
    public static func duration(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        for (suffix, scale) in [("ns", 1.0), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)] where text.hasSuffix(suffix) {
            guard let v = Double(text.dropLast(suffix.count)), v >= 0, v * scale < 1e15 else { return nil }
            return Int64((v * scale).rounded())
        }
        return nil
    }

    /// `127.0.0.1:9464` or `localhost:9464` → (host, port); only loopback hosts.
    /// `YYYY-MM-DD` → days since 1970-01-01 (proleptic Gregorian), or nil.
    public static func daysSinceEpoch(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]), (1970...2199).contains(y), (1...12).contains(m)
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[Int(m - 1)]).contains(d) else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = yy / 400
        let yoe = yy - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func listenAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        guard host == "localhost" || host.hasPrefix("127.") || host == "[::1]" else { return nil }
        return (host == "localhost" ? "127.0.0.1" : host, port)
    }
}

/// A configuration error: where, which field, what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 for a missing key.
    public var line: Int
    public var field: String
    public var message: String

    public init(_ file: String, _ line: Int, _ field: String, _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(field): \(message)" : "\(file): \(field): \(message)" }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
