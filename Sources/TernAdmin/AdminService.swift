import Foundation
import Histogram
import TernCore
public import TernEngine
public import TernRisk
import TernSystem

/// One admin request, free of any transport (the HTTP server builds it; tests call the service
/// with it directly).
public struct AdminRequest: Sendable {
    public var method: String
    /// The path without the query (`/status`).
    public var path: String
    /// The `Authorization` header, if any.
    public var authorization: String?
    public var body: [UInt8]
    /// Who sent it (an address), for the log.
    public var peer: String

    public init(method: String, path: String, authorization: String? = nil, body: [UInt8] = [], peer: String = "local") {
        self.method = method
        self.path = path
        self.authorization = authorization
        self.body = body
        self.peer = peer
    }
}

public struct AdminResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String = "application/json", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static func json(_ status: Int, _ object: [String: Any]) -> AdminResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return AdminResponse(status: status, body: String(decoding: data, as: UTF8.self) + "\n")
    }

    static func error(_ status: Int, _ message: String) -> AdminResponse { json(status, ["error": message]) }
}

/// The operator's interface to a running engine, as request → response:
///
/// | call | what |
/// | --- | --- |
/// | `GET /status` | phase, market time, counters, rejections by reason, positions, P&L, kill states and the kill audit trail, tick-to-order percentiles |
/// | `GET /limits` | the limits and instruments files in force, and the live usage against the firm and account limits |
/// | `GET /metrics` | Prometheus text exposition (`AdminMetrics`) |
/// | `POST /kill/trip` | trips a scope; the engine cancels every working order in it; journaled |
/// | `POST /kill/reset` | resets a scope to armed (a configured operator; refused while the cause holds); journaled |
/// | `POST /kill/reducing` | moves a tripped scope to reducing-only; journaled |
///
/// A mutating call needs `Authorization: Bearer <token>` and a JSON body
/// `{"scope": "firm", "operator": "alice", "reason": "why"}`; the engine journals the operator as
/// the actor and the reason. A missing or wrong token gets 401 or 403, nothing happens, and the
/// attempt is logged (`log`) and counted. Reads need no token (the listener is loopback only).
public final class AdminService: Sendable {
    public let control: EngineControl
    public let setup: RiskSetup
    public let metrics: AdminMetrics
    let token: [UInt8]
    let limitsText: String
    let instrumentsText: String
    let log: @Sendable (String) -> Void
    /// How long a reset or reducing call waits for the engine thread.
    let timeout: Duration

    /// `token` must have at least 16 characters.
    public init(
        control: EngineControl, setup: RiskSetup, token: String, limitsText: String, instrumentsText: String, timeout: Duration = .seconds(5),
        log: @escaping @Sendable (String) -> Void
    ) throws {
        guard token.utf8.count >= 16 else { throw AdminError("the admin token needs at least 16 characters") }
        self.control = control
        self.setup = setup
        self.token = Array(token.utf8)
        self.limitsText = limitsText
        self.instrumentsText = instrumentsText
        self.timeout = timeout
        self.log = log
        metrics = AdminMetrics(control: control, setup: setup)
    }

    /// Every call's path.
    static let paths: Set<String> = ["/", "/status", "/limits", "/metrics", "/kill/trip", "/kill/reset", "/kill/reducing"]

    public func handle(_ request: AdminRequest) async -> AdminResponse {
        let response: AdminResponse
        switch (request.method, request.path) {
        case ("GET", "/"): response = index()
        case ("GET", "/status"): response = .json(200, statusObject())
        case ("GET", "/limits"): response = .json(200, limitsObject())
        case ("GET", "/metrics"): response = AdminResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.render())
        case ("POST", "/kill/trip"), ("POST", "/kill/reset"), ("POST", "/kill/reducing"): response = await mutate(request)
        case (_, let path) where Self.paths.contains(path):
            response = .error(405, "\(request.method) is not allowed on \(request.path)")
        default: response = .error(404, "no such call: \(request.path) (GET / lists them)")
        }
        metrics.countRequest(path: request.path, status: response.status)
        return response
    }

    func index() -> AdminResponse {
        AdminResponse(
            status: 200, contentType: "text/plain; charset=utf-8",
            body: """
                tern admin
                GET  /status          engine status (JSON)
                GET  /limits          limits in force and their use (JSON)
                GET  /metrics         Prometheus metrics
                POST /kill/trip       {"scope":"firm","operator":"NAME","reason":"WHY"}  (Authorization: Bearer TOKEN)
                POST /kill/reset      same body; the operator must be in the limits file's operators
                POST /kill/reducing   same body
                scopes: firm, account:NAME, strategy:NAME, instrument:SYMBOL, side:SYMBOL:buy|sell

                """)
    }

    // MARK: Mutating calls

    struct Call: Decodable {
        var scope: String
        var `operator`: String
        var reason: String
    }

    func mutate(_ request: AdminRequest) async -> AdminResponse {
        let action = String(request.path.dropFirst("/kill/".count))
        func refuse(_ status: Int, _ message: String) -> AdminResponse {
            log("admin: refused \(request.method) \(request.path) from \(request.peer): \(message)")
            metrics.countRefused()
            return .error(status, message)
        }
        guard let header = request.authorization else { return refuse(401, "missing token: send Authorization: Bearer <token>") }
        guard header.hasPrefix("Bearer ") else { return refuse(401, "the Authorization header must be Bearer <token>") }
        guard constantTimeEqual(Array(header.utf8.dropFirst(7)), token) else { return refuse(403, "wrong token") }
        guard request.body.count <= 4096 else { return refuse(413, "the body is over 4096 bytes") }
        let call: Call
        do {
            call = try JSONDecoder().decode(Call.self, from: Data(request.body))
        } catch {
            return refuse(400, "the body must be JSON {\"scope\": …, \"operator\": …, \"reason\": …}: \(Self.describe(error))")
        }
        let who = call.operator.trimmingCharacters(in: .whitespaces)
        let why = call.reason.trimmingCharacters(in: .whitespaces)
        guard !who.isEmpty, who.utf8.count <= 64 else { return refuse(400, "operator: 1 to 64 characters") }
        guard !why.isEmpty, why.utf8.count <= 256 else { return refuse(400, "reason: 1 to 256 characters (say why)") }
        let scope: KillScope
        do throws(AdminError) { scope = try parseScope(call.scope) } catch { return refuse(400, "scope: \(error.description)") }
        do throws(ControlError) {
            switch action {
            case "trip":
                try control.trip(scope, actor: who, reason: why)
            case "reset", "reducing":
                let call = try control.enqueue(action == "reset" ? .reset(scope) : .reducing(scope), operator: who, reason: why)
                let deadline = MonotonicClock.now().rawValue + EngineControl.nanoseconds(timeout)
                while try !call.isAnswered(deadline: deadline) { try? await Task.sleep(for: .milliseconds(1)) }
            default:
                return .error(404, "no such call: \(request.path)")
            }
        } catch {
            let status: Int
            switch error {
            case .refused(.unauthorized): status = 403
            case .timedOut: status = 504
            case .unknownScope: status = 400
            case .refused, .finished: status = 409
            }
            return refuse(status, "\(action) \(scope): \(error.description)")
        }
        log("admin: \(action) \(scope) by \(String(reflecting: who)) from \(request.peer): \(String(reflecting: why))")
        return .json(200, ["done": action, "scope": scope.description, "operator": who, "reason": why, "journaled": true])
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c): "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.valueNotFound(_, let c): "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.dataCorrupted(let c): c.debugDescription
        default: "\(error)"
        }
    }

    /// `firm`, `account:NAME`, `strategy:NAME`, `instrument:SYMBOL`, `side:SYMBOL:buy|sell`, with
    /// the names of the limits and instruments files.
    public func parseScope(_ text: String) throws(AdminError) -> KillScope {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func need(_ n: Int) throws(AdminError) {
            guard parts.count == n else { throw AdminError("\(String(reflecting: text)): expected \(parts[0]):… with \(n - 1) name(s)") }
        }
        func instrument(_ name: String) throws(AdminError) -> InstrumentID {
            guard let id = setup.instrument(name) else {
                throw AdminError("unknown instrument \(String(reflecting: name)) (\(setup.instrumentNames.joined(separator: ", ")))")
            }
            return id
        }
        switch parts[0] {
        case "firm":
            try need(1)
            return .firm
        case "account":
            try need(2)
            guard let id = setup.account(parts[1]) else { throw AdminError("unknown account \(String(reflecting: parts[1]))") }
            return .account(id)
        case "strategy":
            try need(2)
            guard let id = setup.strategy(parts[1]) else { throw AdminError("unknown strategy \(String(reflecting: parts[1]))") }
            return .strategy(id)
        case "instrument":
            try need(2)
            return .instrument(try instrument(parts[1]))
        case "side":
            try need(3)
            let id = try instrument(parts[1])
            switch parts[2] {
            case "buy": return .side(id, .buy)
            case "sell": return .side(id, .sell)
            default: throw AdminError("side must be buy or sell, not \(String(reflecting: parts[2]))")
            }
        default:
            throw AdminError("\(String(reflecting: text)) is not a scope (firm, account:NAME, strategy:NAME, instrument:SYMBOL, side:SYMBOL:buy|sell)")
        }
    }

    // MARK: Reads

    func statusObject() -> [String: Any] {
        let s = control.status
        let c = s.counters
        var denied: [String: Int] = [:]
        for (reason, n) in c.denied { denied[reason.description] = n }
        var positions: [String: String] = [:]
        for (i, p) in s.positions.enumerated() where i < setup.instrumentNames.count {
            positions[setup.instrumentNames[i]] = Quantity(rawValue: p).description
        }
        let h = s.tickToOrder
        var latency: [String: Any] = ["count": Int(h.totalCount)]
        if h.totalCount > 0 {
            latency["p50_ns"] = Int(h.valueAtPercentile(50))
            latency["p99_ns"] = Int(h.valueAtPercentile(99))
            latency["p99_9_ns"] = Int(h.valueAtPercentile(99.9))
            latency["max_ns"] = Int(h.max)
        }
        var object: [String: Any] = [
            "phase": s.phase.rawValue,
            "market_time_ns": Int(s.marketTime.rawValue),
            "age_ms": max(0, Int((MonotonicClock.now().rawValue - s.publishedAt) / 1_000_000)),
            "events": c.events,
            "updates": c.batches,
            "orders": ["sent": c.ordersSent, "cancels": c.cancelsSent, "replaces": c.replacesSent, "kill_cancels": c.killCancelsSent, "open": s.openOrders],
            "fills": c.fills,
            "venue_rejects": c.venueRejects,
            "rejections": denied,
            "positions": positions,
            "kill": killObject(s),
            "tick_to_order": latency,
        ]
        if let a = s.account {
            object["pnl"] = [
                "currency": setup.configuration.firm.currency.description, "daily": Money(rawValue: a.dailyPnL).description,
                "realized": Money(rawValue: a.realized).description, "fees": Money(rawValue: a.fees).description,
            ]
        }
        return object
    }

    /// Every scope that is not armed, and the audit trail.
    func killObject(_ s: EngineStatus) -> [String: Any] {
        var states: [String: String] = [:]
        for scope in setup.killScopes(sides: true) {
            let state = control.killSwitch.state(scope)
            if scope == .firm || state != .armed { states[setup.name(scope)] = state.description }
        }
        let trail = s.riskEvents.compactMap { e -> String? in
            if case .anomaly = e { return nil }
            return e.description
        }
        return ["states": states, "events": trail]
    }

    func limitsObject() -> [String: Any] {
        let s = control.status
        let firm = setup.configuration.firm
        func money(_ v: Int128) -> String { Money(rawValue: v).description }
        var usage: [String: Any] = [
            "firm": [
                "working_orders": s.firm.workingCount, "max_working_orders": firm.maxWorkingOrders,
                "credit_used": money(s.firm.creditUsed), "credit_limit": firm.creditLimit.description,
                "daily_pnl": money(s.firm.dailyPnL), "daily_loss_limit": firm.dailyLossLimit.description,
            ]
        ]
        if let a = s.account { usage["account"] = ["working_orders": a.workingCount, "credit_used": money(a.creditUsed), "daily_pnl": money(a.dailyPnL)] }
        return ["limits": limitsText, "instruments": instrumentsText, "operators": setup.configuration.operators, "usage": usage, "currency": firm.currency.description]
    }
}

/// A refused admin call or setting, with its reason.
public struct AdminError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Token comparison whose time does not depend on where the bytes differ.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var diff = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for i in 0..<max(a.count, b.count) {
        diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
    }
    return diff == 0
}

extension RiskSetup {
    /// Every kill-switch scope the files define: the firm, accounts, strategies, instruments and
    /// (with `sides`) each instrument's two sides.
    func killScopes(sides: Bool) -> [KillScope] {
        var out: [KillScope] = [.firm]
        out += accountNames.indices.map { .account(AccountID(rawValue: UInt32($0))) }
        out += strategyNames.indices.map { .strategy(StrategyID(rawValue: UInt32($0))) }
        for i in instrumentNames.indices {
            let id = InstrumentID(rawValue: UInt32(i))
            out.append(.instrument(id))
            if sides { out += [.side(id, .buy), .side(id, .sell)] }
        }
        return out
    }

    /// The name of a scope in the files' terms (`account:main`, `side:ESH4:buy`), as the admin
    /// calls and metrics spell it.
    func name(_ scope: KillScope) -> String {
        func i(_ id: InstrumentID) -> String { Int(id.rawValue) < instrumentNames.count ? instrumentNames[Int(id.rawValue)] : "\(id.rawValue)" }
        switch scope {
        case .firm: return "firm"
        case .account(let a): return "account:" + (Int(a.rawValue) < accountNames.count ? accountNames[Int(a.rawValue)] : "\(a.rawValue)")
        case .strategy(let s): return "strategy:" + (Int(s.rawValue) < strategyNames.count ? strategyNames[Int(s.rawValue)] : "\(s.rawValue)")
        case .instrument(let id): return "instrument:" + i(id)
        case .side(let id, let side): return "side:\(i(id)):\(side == .buy ? "buy" : "sell")"
        }
    }
}
