import TernCore

/// Replays an order and event tape (CSV, docs/risk.md#tape) through a `RiskEngine` and writes one
/// decision per order request plus every kill-switch event: the what-if tool behind
/// `tern risk check`, and the way risk scenarios are tested end to end.
public enum RiskTape {
    static let columns: Set<String> = [
        "time", "event", "id", "orig_id", "account", "strategy", "symbol", "side", "type", "tif", "price", "stop", "qty",
        "leaves", "flags", "exec_id", "fee", "liquidity", "expire", "bid", "ask", "last", "state", "scope", "actor", "reason",
    ]

    /// The output header.
    public static let header = "time,record,id,decision,code,limit,limit_value,value,detail"

    /// Replays `tape` and returns the decisions file. Malformed rows are errors naming the line and column.
    /// `engine`, if given, is used instead of a fresh engine with the setup's configuration (to
    /// journal the run, for example).
    public static func replay(_ setup: RiskSetup, tape: [UInt8], name: String = "events", engine given: RiskEngine? = nil) throws(RiskConfigError) -> String {
        let engine: RiskEngine
        if let given { engine = given } else { engine = try RiskEngine(setup.configuration) }
        var out = header + "\n"
        let rows = CSV.rows(tape)
        guard let (headerLine, cols) = rows.first else { throw RiskConfigError(file: name, line: 0, field: "header", message: "empty file") }
        for (k, c) in cols.enumerated() where !columns.contains(c) { throw CSV.unknownColumn(name, headerLine, k, c) }
        for required in ["time", "event"] where !cols.contains(required) {
            throw RiskConfigError(file: name, line: headerLine, field: required, message: "missing column")
        }
        var eventCount = 0
        for (line, cells) in rows.dropFirst() {
            guard cells.count == cols.count else {
                throw RiskConfigError(file: name, line: line, field: "row", message: "\(cells.count) cells, the header has \(cols.count)")
            }
            var row: [String: String] = [:]
            for (k, v) in zip(cols, cells) where !v.isEmpty { row[k] = v }
            let r = Row(row: row, file: name, line: line, setup: setup)
            // Times may step back: the engine holds its clock at the latest time seen, so a clock
            // that steps back never reopens a window.
            let time = try r.int("time")
            let t = Timestamp(rawValue: time)
            let event = try r.text("event")
            func emit(_ record: String, _ id: String, _ d: RiskDecision) {
                let decision = d.isAccepted ? "accepted" : d.reason.name
                let code = d.isAccepted ? "0" : "\(d.reason.rawValue)"
                out += "\(time),\(record),\(id),\(decision),\(code),\(d.limit),\(d.limit.format(d.limitValue)),\(d.limit.format(d.value)),\(d.sequence)\n"
            }
            switch event {
            case "quote":
                engine.updateQuote(try r.instrument(), bid: try r.number("bid"), ask: try r.number("ask"), last: try r.optionalNumber("last"), at: t)
            case "fx":
                let code = try r.text("currency")
                guard let currency = engine.foreignCurrency(code: code) else {
                    throw r.fail("currency", "\(String(reflecting: code)) is not a foreign currency of these instruments (\(engine.foreignCurrencies.map(\.code).joined(separator: " ")))")
                }
                engine.updateFX(currency, rate: try r.number("price"), at: t)
            case "session":
                let s = try r.text("state")
                guard let state = SessionState.allCases.first(where: { $0.description == s }) else {
                    throw r.fail("state", "expected open, preOpen, auction, halted or closed")
                }
                engine.setSession(try r.instrument(), state)
            case "new":
                let o = try r.newOrder(t)
                emit("new", "\(o.clientOrderID.rawValue)", engine.submit(o, at: t))
            case "cancel":
                let id = try r.id("id")
                let orig = try r.id("orig_id")
                let c = CancelOrder(
                    clientOrderID: id, originalClientOrderID: orig, instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0),
                    accountID: try r.optionalAccount() ?? AccountID(rawValue: 0), side: try r.side(default: .buy), timestamp: t)
                emit("cancel", "\(id.rawValue)", engine.submitCancel(c, at: t))
            case "replace":
                let id = try r.id("id")
                let rep = ReplaceOrder(
                    clientOrderID: id, originalClientOrderID: try r.id("orig_id"), instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0),
                    accountID: try r.optionalAccount() ?? AccountID(rawValue: 0), side: try r.side(default: .buy),
                    price: try r.number("price"), quantity: try r.number("qty"), timestamp: t)
                emit("replace", "\(id.rawValue)", engine.submitReplace(rep, at: t))
            case "ack":
                engine.apply(.accepted(OrderAccepted(clientOrderID: try r.id("id"), orderID: OrderID(rawValue: try r.id("id").rawValue), instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), timestamp: t)), at: t)
            case "reject":
                engine.apply(.rejected(RequestRejected(clientOrderID: try r.id("id"), instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), reason: .venueRejected, origin: .venue, timestamp: t)), at: t)
            case "fill":
                let id = try r.id("id")
                engine.apply(.filled(Fill(
                    clientOrderID: id, orderID: OrderID(rawValue: id.rawValue), executionID: ExecutionID(rawValue: UInt64(try r.optionalInt("exec_id") ?? 0)),
                    instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), side: try r.side(default: .buy), liquidity: try r.liquidity(),
                    price: try r.number("price"), quantity: try r.number("qty"), leavesQuantity: try r.number("leaves"),
                    fee: try r.optionalNumber("fee") ?? .zero, timestamp: t)), at: t)
            case "cancel_ack", "expire":
                let orig = try r.id("orig_id")
                let closed = OrderClosed(
                    clientOrderID: try r.optionalID("id") ?? orig, originalClientOrderID: orig, orderID: OrderID(rawValue: orig.rawValue),
                    instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), closedQuantity: try r.optionalNumber("leaves") ?? .zero, timestamp: t)
                engine.apply(event == "expire" ? .expired(closed) : .cancelAccepted(closed), at: t)
            case "cancel_reject":
                let orig = try r.id("orig_id")
                engine.apply(.cancelRejected(RequestRejected(clientOrderID: try r.optionalID("id") ?? orig, originalClientOrderID: orig, instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), reason: .venueTooLateToCancel, origin: .venue, timestamp: t)), at: t)
            case "replace_ack":
                engine.apply(.replaceAccepted(ReplaceAccepted(
                    clientOrderID: try r.id("id"), originalClientOrderID: try r.id("orig_id"), orderID: OrderID(rawValue: try r.id("orig_id").rawValue),
                    instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), price: try r.number("price"), quantity: try r.number("qty"),
                    leavesQuantity: try r.number("leaves"), timestamp: t)), at: t)
            case "replace_reject":
                engine.apply(.replaceRejected(RequestRejected(clientOrderID: try r.id("id"), originalClientOrderID: try r.id("orig_id"), instrumentID: try r.optionalInstrument() ?? InstrumentID(rawValue: 0), reason: .venueRejected, origin: .venue, timestamp: t)), at: t)
            case "external_fill":
                guard let account = try r.optionalAccount() else { throw r.fail("account", "required") }
                engine.applyExternalFill(account: account, Fill(
                    clientOrderID: ClientOrderID(rawValue: 0), orderID: OrderID(rawValue: 0), executionID: ExecutionID(rawValue: 0),
                    instrumentID: try r.instrument(), side: try r.side(default: nil), liquidity: try r.liquidity(), price: try r.number("price"),
                    quantity: try r.number("qty"), leavesQuantity: .zero, fee: try r.optionalNumber("fee") ?? .zero, timestamp: t), at: t)
            case "trip":
                engine.trip(try r.scope(), cause: .manual, actor: row["actor"] ?? "operator", reason: row["reason"] ?? "", at: t)
            case "security_alert":
                engine.trip(try r.scope(), cause: .securityAlert, actor: row["actor"] ?? "security", reason: row["reason"] ?? "", at: t)
            case "reset", "reducing":
                let scope = try r.scope()
                do {
                    if event == "reset" {
                        try engine.reset(scope, operator: try r.text("actor"), reason: try r.text("reason"), at: t)
                    } else {
                        try engine.enterReducing(scope, operator: try r.text("actor"), reason: try r.text("reason"), at: t)
                    }
                } catch let e as RiskOperatorError {
                    out += "\(time),\(event),,refused,,,,,\(csvSafe(e.description))\n"
                } catch let e as RiskConfigError {
                    throw e
                } catch {
                    throw r.fail("event", "\(error)")
                }
            case "day":
                engine.beginTradingDay()
            default:
                throw r.fail("event", "unknown event \(String(reflecting: event))")
            }
            // Everything the engine recorded or wants sent because of this row.
            let events = engine.events
            for e in events.dropFirst(eventCount) {
                let kind: String
                switch e {
                case .tripped: kind = "trip"
                case .reset: kind = "reset"
                case .reducing: kind = "reducing"
                case .flat: kind = "flat"
                case .anomaly: kind = "anomaly"
                }
                out += "\(time),\(kind),,,,,,,\(csvSafe(e.description))\n"
            }
            eventCount = events.count
            while let c = engine.nextCancel() {
                out += "\(time),emit_cancel,\(c.clientOrderID.rawValue),,,,,,cancels \(c.originalClientOrderID.rawValue)\n"
            }
        }
        return out
    }

    static func csvSafe(_ s: String) -> String { String(s.map { $0 == "," || $0 == "\n" ? ";" : $0 }) }

    /// A tape row: the cell readers of `RiskSetup.Fields` plus the names the setup gave.
    struct Row {
        let fields: RiskSetup.Fields
        let setup: RiskSetup

        init(row: [String: String], file: String, line: Int, setup: RiskSetup) {
            fields = RiskSetup.Fields(row: row, file: file, line: line, missing: "required for this event")
            self.setup = setup
        }

        var row: [String: String] { fields.row }
        func fail(_ key: String, _ message: String) -> RiskConfigError { fields.fail(key, message) }
        func text(_ key: String) throws(RiskConfigError) -> String { try fields.required(key) }
        func int(_ key: String) throws(RiskConfigError) -> Int64 {
            let t = try text(key)
            guard let v = Int64(t) else { throw fail(key, "expected an integer, got \(String(reflecting: t))") }
            return v
        }
        func optionalInt(_ key: String) throws(RiskConfigError) -> Int64? { row[key] == nil ? nil : try int(key) }
        func id(_ key: String) throws(RiskConfigError) -> ClientOrderID {
            let t = try text(key)
            guard let v = UInt64(t) else { throw fail(key, "expected an unsigned integer ID, got \(String(reflecting: t))") }
            return ClientOrderID(rawValue: v)
        }
        func optionalID(_ key: String) throws(RiskConfigError) -> ClientOrderID? { row[key] == nil ? nil : try id(key) }
        func number<T: FixedPointNumber>(_ key: String) throws(RiskConfigError) -> T { try fields.number(key) }
        func optionalNumber<T: FixedPointNumber>(_ key: String) throws(RiskConfigError) -> T? { try fields.optionalNumber(key) }
        func instrument() throws(RiskConfigError) -> InstrumentID {
            guard let id = try optionalInstrument() else { throw fail("symbol", "required for this event") }
            return id
        }
        func optionalInstrument() throws(RiskConfigError) -> InstrumentID? {
            guard let s = row["symbol"] else { return nil }
            // Unknown symbols map past the table so the engine reports UNKNOWN_INSTRUMENT.
            return setup.instrument(s) ?? InstrumentID(rawValue: UInt32.max)
        }
        func optionalAccount() throws(RiskConfigError) -> AccountID? {
            guard let s = row["account"] else { return nil }
            return setup.account(s) ?? AccountID(rawValue: UInt32.max)
        }
        func liquidity() throws(RiskConfigError) -> Liquidity {
            switch row["liquidity"] {
            case nil: return .unknown
            case "maker": return .maker
            case "taker": return .taker
            case let other?: throw fail("liquidity", "expected maker or taker, got \(String(reflecting: other))")
            }
        }
        func side(default value: Side?) throws(RiskConfigError) -> Side {
            switch row["side"] {
            case "buy": return .buy
            case "sell": return .sell
            case nil:
                if let value { return value }
                throw fail("side", "required for this event")
            case let other?: throw fail("side", "expected buy or sell, got \(String(reflecting: other))")
            }
        }
        func newOrder(_ t: Timestamp) throws(RiskConfigError) -> NewOrder {
            guard let account = try optionalAccount() else { throw fail("account", "required for new orders") }
            guard let s = row["strategy"] else { throw fail("strategy", "required for new orders") }
            let strategy = setup.strategy(s) ?? StrategyID(rawValue: UInt32.max)
            let typeText = row["type"] ?? "limit"
            guard let type = OrderType.allCases.first(where: { $0.description == typeText }) else {
                throw fail("type", "expected limit, market, stop or stopLimit")
            }
            let tifText = row["tif"] ?? "day"
            guard let tif = TimeInForce.allCases.first(where: { $0.description == tifText }) else {
                throw fail("tif", "expected day, goodTillCancel, immediateOrCancel, fillOrKill or goodTillDate")
            }
            var flags: OrderFlags = []
            for f in (row["flags"] ?? "").split(separator: " ") {
                switch f {
                case "reduce_only": flags.insert(.reduceOnly)
                case "post_only": flags.insert(.postOnly)
                default: throw fail("flags", "unknown flag \(String(reflecting: String(f))) (reduce_only post_only)")
                }
            }
            return NewOrder(
                clientOrderID: try id("id"), instrumentID: try instrument(), accountID: account, strategyID: strategy,
                side: try side(default: nil), orderType: type, timeInForce: tif, flags: flags,
                price: type.hasLimitPrice ? try number("price") : (try optionalNumber("price") ?? .zero),
                stopPrice: type.hasStopPrice ? try number("stop") : .zero, quantity: try number("qty"),
                expireTime: Timestamp(rawValue: try optionalInt("expire") ?? 0), timestamp: t)
        }
        func scope() throws(RiskConfigError) -> KillScope {
            let t = try text("scope")
            let parts = t.split(separator: ":").map(String.init)
            switch parts.first {
            case "firm" where parts.count == 1: return .firm
            case "account" where parts.count == 2:
                guard let a = setup.account(parts[1]) else { throw fail("scope", "unknown account \(parts[1])") }
                return .account(a)
            case "strategy" where parts.count == 2:
                guard let s = setup.strategy(parts[1]) else { throw fail("scope", "unknown strategy \(parts[1])") }
                return .strategy(s)
            case "instrument" where parts.count == 2:
                guard let i = setup.instrument(parts[1]) else { throw fail("scope", "unknown instrument \(parts[1])") }
                return .instrument(i)
            case "side" where parts.count == 3 && (parts[2] == "buy" || parts[2] == "sell"):
                guard let i = setup.instrument(parts[1]) else { throw fail("scope", "unknown instrument \(parts[1])") }
                return .side(i, parts[2] == "buy" ? .buy : .sell)
            default:
                throw fail("scope", "expected firm, account:NAME, strategy:NAME, instrument:SYMBOL or side:SYMBOL:buy|sell")
            }
        }
    }
}
