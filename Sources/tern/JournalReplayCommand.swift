import ArgumentParser
import Foundation
import Tern

extension JournalCommand {
    /// `tern journal replay`: rebuild the risk state a journal records.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the risk engine's state from a journal: positions, exposure, P&L and kill state.",
            discussion: """
                Feeds every journaled input to a fresh engine and checks each recorded decision, event and \
                session-end state digest. The configuration comes from the journal's session start (tern risk \
                check --journal stores it) unless --limits and --instruments are given. Exit status: 0 if the \
                replay reproduced everything, 1 if something differed, 64 if the journal or configuration is \
                unusable. Read-only: a torn tail is reported, not cut.
                """)
        @Argument(help: "The journal directory.")
        var path: String
        @Flag(help: "Write the rebuilt state as JSON.")
        var json = false
        @Option(help: "The limits file, if the journal does not carry it.")
        var limits: String? = nil
        @Option(help: "The instruments table, if the journal does not carry it.")
        var instruments: String? = nil

        mutating func run() throws {
            let reader = try JournalCommand.open(path)
            let texts: (limits: [UInt8], instruments: [UInt8])
            if let limits, let instruments {
                texts = (try readFile(limits), try readFile(instruments))
            } else if let carried = try? RiskReplay.configurationText(reader) {
                texts = (Array(carried.limits.utf8), Array(carried.instruments.utf8))
            } else {
                throw ValidationError("\(path) does not carry its configuration: give --limits and --instruments")
            }
            let setup: RiskSetup
            let engine: RiskEngine
            let report: RiskReplayReport
            do {
                setup = try RiskSetup.parse(limits: texts.limits, limitsName: limits ?? "limits (journal)", instruments: texts.instruments, instrumentsName: instruments ?? "instruments (journal)")
                engine = try RiskEngine(setup.configuration)
                report = try RiskReplay.replay(reader, into: engine)
            } catch let e as RiskConfigError {
                throw ValidationError(e.description)
            } catch let e as JournalError {
                throw ValidationError(e.description)
            }
            print(json ? Self.json(path, setup, engine, report) : Self.text(path, setup, engine, report))
            if !report.isExact { throw ExitCode(1) }
        }

        static func scopes(_ setup: RiskSetup) -> [(String, KillScope)] {
            var list: [(String, KillScope)] = [("firm", .firm)]
            for (k, n) in setup.accountNames.enumerated() { list.append(("account:\(n)", .account(AccountID(rawValue: UInt32(k))))) }
            for (k, n) in setup.strategyNames.enumerated() { list.append(("strategy:\(n)", .strategy(StrategyID(rawValue: UInt32(k))))) }
            for (k, n) in setup.instrumentNames.enumerated() {
                let id = InstrumentID(rawValue: UInt32(k))
                list.append(("instrument:\(n)", .instrument(id)))
                list.append(("side:\(n):buy", .side(id, .buy)))
                list.append(("side:\(n):sell", .side(id, .sell)))
            }
            return list
        }

        /// The positions of account `a` that are not flat-and-idle, with their instruments' names.
        static func positions(_ setup: RiskSetup, _ engine: RiskEngine, account a: Int) -> [(String, PositionState)] {
            setup.instrumentNames.enumerated().compactMap { i, name in
                guard let p = engine.position(account: AccountID(rawValue: UInt32(a)), instrument: InstrumentID(rawValue: UInt32(i))), p != PositionState()
                else { return nil }
                return (name, p)
            }
        }

        /// The scopes that are not armed, with their states.
        static func killStates(_ setup: RiskSetup, _ engine: RiskEngine) -> [(String, KillState)] {
            scopes(setup).compactMap { name, scope in
                let s = engine.killSwitch.state(scope)
                return s == .armed ? nil : (name, s)
            }
        }

        static func money(_ v: Int128) -> String { quote(Money(rawValue: v).description) }
        static func qty(_ v: Int64) -> String { quote(Quantity(rawValue: v).description) }

        static func totals(_ t: ExposureTotals) -> String {
            "\"working_orders\": \(t.workingCount), \"working_notional\": \(money(t.workingNotional)), \"mark_value\": \(money(t.markValue)), "
                + "\"credit_used\": \(money(t.creditUsed)), \"realized\": \(money(t.realized)), \"fees\": \(money(t.fees)), "
                + "\"unrealized_change\": \(money(t.unrealizedChange)), \"daily_pnl\": \(money(t.dailyPnL)), \"holdings\": \(t.holdings)"
        }

        static func json(_ path: String, _ setup: RiskSetup, _ engine: RiskEngine, _ r: RiskReplayReport) -> String {
            var lines: [String] = []
            lines.append("  \"journal\": \(quote(path))")
            lines.append("  \"exact\": \(r.isExact)")
            lines.append("  \"records\": \(r.recordsRead), \"risk_records\": \(r.recordsApplied), \"sessions\": \(r.sessions), \"last_sequence\": \(r.lastSequence)")
            lines.append("  \"decision_mismatches\": \(r.decisionMismatches), \"event_mismatches\": \(r.eventMismatches)")
            lines.append("  \"digests_checked\": \(r.digestsChecked), \"digest_mismatches\": \(r.digestMismatches)")
            if let m = r.firstDecisionMismatch { lines.append("  \"first_decision_mismatch\": \(quote(m))") }
            if let m = r.firstEventMismatch { lines.append("  \"first_event_mismatch\": \(quote(m))") }
            lines.append("  \"digest\": \(quote(StableDigest.hex(engine.stateDigest)))")
            lines.append("  \"last_approval_sequence\": \(engine.lastSequence), \"working_orders\": \(engine.workingOrderCount)")
            var positions: [String] = []
            for (a, an) in setup.accountNames.enumerated() {
                for (iname, p) in Self.positions(setup, engine, account: a) {
                    positions.append(
                        "    {\"account\": \(quote(an)), \"instrument\": \(quote(iname)), \"position\": \(qty(p.position)), "
                            + "\"open_buy\": \(qty(p.openBuyQuantity)), \"open_sell\": \(qty(p.openSellQuantity)), \"working_orders\": \(p.workingCount), "
                            + "\"open_buy_notional\": \(money(p.openBuyNotional)), \"open_sell_notional\": \(money(p.openSellNotional)), "
                            + "\"realized\": \(money(p.realized)), \"fees\": \(money(p.fees)), \"unrealized\": \(money(p.unrealized)), \"mark_value\": \(money(p.markValue))}")
                }
            }
            lines.append("  \"positions\": [\n" + positions.joined(separator: ",\n") + (positions.isEmpty ? "]" : "\n  ]"))
            let accounts = setup.accountNames.enumerated().map { a, n in
                "    {\"account\": \(quote(n)), " + totals(engine.totals(account: AccountID(rawValue: UInt32(a)))!) + "}"
            }
            lines.append("  \"accounts\": [\n" + accounts.joined(separator: ",\n") + "\n  ]")
            lines.append("  \"firm\": {" + totals(engine.firmTotals) + "}")
            let kill = killStates(setup, engine).map { name, s in "    {\"scope\": \(quote(name)), \"state\": \(quote(s.description))}" }
            lines.append("  \"kill\": [\n" + kill.joined(separator: ",\n") + (kill.isEmpty ? "]" : "\n  ]"))
            let c = engine.counters
            lines.append(
                "  \"counters\": {\"accepted\": \(c.accepted), \"denied\": \(c.denied), \"cancels_emitted\": \(c.cancelsEmitted), \"late_fills\": \(c.lateFills), "
                    + "\"overfills\": \(c.overfills), \"unattributed_fills\": \(c.unattributedFills), \"duplicate_executions\": \(c.duplicateExecutions), "
                    + "\"unknown_order_events\": \(c.unknownOrderEvents)}")
            lines.append("  \"events\": \(engine.events.count)")
            return "{\n" + lines.joined(separator: ",\n") + "\n}"
        }

        static func text(_ path: String, _ setup: RiskSetup, _ engine: RiskEngine, _ r: RiskReplayReport) -> String {
            var out = "journal \(path): \(r)\n"
            out += r.isExact ? "replay: exact\n" : "replay: DIFFERS\n"
            for (a, an) in setup.accountNames.enumerated() {
                for (iname, p) in positions(setup, engine, account: a) {
                    out += "position \(an) \(iname): \(Quantity(rawValue: p.position)) (open buy \(Quantity(rawValue: p.openBuyQuantity)), open sell \(Quantity(rawValue: p.openSellQuantity))), realized \(Money(rawValue: p.realized)), fees \(Money(rawValue: p.fees))\n"
                }
                let t = engine.totals(account: AccountID(rawValue: UInt32(a)))!
                out += "account \(an): \(t.workingCount) working, daily P&L \(Money(rawValue: t.dailyPnL)), credit used \(Money(rawValue: t.creditUsed))\n"
            }
            for (name, state) in killStates(setup, engine) { out += "kill \(name): \(state)\n" }
            return out + "state digest \(StableDigest.hex(engine.stateDigest))"
        }
    }
}
