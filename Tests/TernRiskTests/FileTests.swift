import Foundation
import Testing
import TernCore
import TernRisk

/// The limits file, the instruments CSV and the tape (docs/risk.md#files): the example scenario end
/// to end, and bad input rejected with the file, line and field named.
@Suite struct FileTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TernRiskTests/FileTests.swift → project root
        return url
    }()

    static func example(_ name: String) -> [UInt8] {
        Array(try! Data(contentsOf: root.appendingPathComponent("examples/risk/\(name)")))
    }

    static let limits = String(decoding: example("limits.conf"), as: UTF8.self)
    static let instruments = String(decoding: example("instruments.csv"), as: UTF8.self)

    static func parse(limits: String = limits, instruments: String = instruments) throws(RiskConfigError) -> RiskSetup {
        try RiskSetup.parse(limits: Array(limits.utf8), instruments: Array(instruments.utf8))
    }

    @Test func exampleFilesParse() throws {
        let setup = try Self.parse()
        #expect(setup.instrumentNames == ["ESZ6", "BTCUSD"])
        #expect(setup.accountNames == ["main"])
        #expect(setup.strategyNames == ["mm"])
        let c = setup.configuration
        #expect(c.firm.submitRate == RateLimit(count: 100, windowNanoseconds: 1_000_000_000))
        #expect(c.firm.duplicateOrders == RateLimit(count: 2, windowNanoseconds: 500_000_000))
        #expect(c.accounts[0].dailyLossLimit == (try Money.parse("5000")))
        #expect(c.instruments[0].band == PriceBand(ticks: 20))
        #expect(c.instruments[1].band == PriceBand(basisPoints: 100))
        #expect(c.instruments[1].spec.lotSize == (try Quantity.parse("0.001")))
        #expect(c.instruments[0].capabilities.allows(.market))
        #expect(!c.instruments[1].capabilities.allows(.market))
    }

    /// The example tape, every decision derived by hand:
    /// 1 accepted; 2 5000.10 is off the 0.25 tick; 3 5010 is above 5000 + 20 ticks = 5005;
    /// 4 9 × 5000 × 50 = 2,250,000 over the 2,000,000 fat-finger limit; 5 a market buy, accepted.
    /// Fills put the account long 3 (2 @ 5000, 1 @ 5000.25). 6 buy 8: worst case 3 + 8 = 11 > 10;
    /// 7 and 8 accepted. The quote drops to 4966.50: unrealized (4966.5 − 5000) × 2 × 50 +
    /// (4966.5 − 5000.25) × 50 = −5,037.50 < −5,000, so the account trips and its two working orders
    /// (7, 8) get cancels; 9 is halted; the reset is refused while the loss holds; in reducing mode
    /// 10 (sell 4 against a long 3) would flip and is refused, 11 (sell 3) passes, fills, the account is
    /// flat and goes back to tripped; mallory is not an operator.
    @Test func exampleTapeReplaysAsDerived() throws {
        let output = try RiskTape.replay(try Self.parse(), tape: Self.example("events.csv"))
        let expected = """
            time,record,id,decision,code,limit,limit_value,value,detail
            1000001000,new,1,accepted,0,none,0,0,1
            1000002000,new,2,PRICE_NOT_ON_TICK,104,tick_size,0.25,5000.1,0
            1000003000,new,3,PRICE_OUTSIDE_BAND,202,band,5005,5010,0
            1000004000,new,4,NOTIONAL_ABOVE_MAXIMUM,201,max_order_notional,2000000,2250000,0
            1000005000,new,5,accepted,0,none,0,0,2
            1000008000,new,6,POSITION_LIMIT,203,max_long,10,11,0
            1000009000,new,7,accepted,0,none,0,0,3
            1000010000,new,8,accepted,0,none,0,0,4
            1000011000,trip,,,,,,,trip account:0 cause=daily_loss actor=risk reason=daily P&L -5037.5 below -5000 at=1000011000 last_approved=4 cancels=2
            1000011000,emit_cancel,9223372036854775809,,,,,,cancels 8
            1000011000,emit_cancel,9223372036854775810,,,,,,cancels 7
            1000012000,new,9,KILL_SWITCH_HALTED,301,kill_account,0,1,0
            1000013000,reset,,refused,,,,,account:0 cannot be reset: daily_loss still holds
            1000014000,reducing,,,,,,,reducing account:0 operator=alice reason=flatten the ES long at=1000014000
            1000015000,new,10,REDUCE_ONLY_VIOLATION,302,reducing_mode,3,4,0
            1000016000,new,11,accepted,0,none,0,0,5
            1000017000,flat,,,,,,,flat account:0 at=1000017000
            1000018000,reset,,refused,,,,,operator "mallory" is not allowed to change the kill switch

            """
        #expect(output == expected)
    }

    /// Each edit of a valid file, and the file, line and field the error must name.
    static let badLimits: [(edit: @Sendable (String) -> String, line: Int, field: String, says: String)] = [
        ({ $0.replacingOccurrences(of: "submit_rate = 100/1s", with: "submit_rate = 100 per second") }, 7, "[firm] submit_rate", "COUNT/DURATION"),
        ({ $0.replacingOccurrences(of: "credit_limit = 20000000", with: "credit_limit = 20,000,000") }, 5, "[firm] credit_limit", ""),
        ({ $0.replacingOccurrences(of: "max_working_orders = 500", with: "max_working_orders = 500\nmax_wrking_orders = 5") }, 5, "[firm] max_wrking_orders", "unknown setting"),
        ({ $0.replacingOccurrences(of: "max_working_orders = 500", with: "max_working_ordres = 500") }, 2, "[firm] max_working_orders", "required"),
        ({ $0.replacingOccurrences(of: "daily_loss_limit = 50000\n", with: "") }, 2, "[firm] daily_loss_limit", "required"),
        ({ $0.replacingOccurrences(of: "self_match = account", with: "self_match = sometimes") }, 10, "self_match", "expected off, account or firm"),
        ({ $0.replacingOccurrences(of: "[account main]", with: "[account]") }, 13, "[account]", "needs a name"),
        ({ $0.replacingOccurrences(of: "[strategy mm]", with: "[strategy mm") }, 20, "section", "expected [name]"),
        ({ $0 + "\n[account main]\nmax_working_orders = 1\n" }, 25, "[account main]", "defined twice"),
        ({ $0.replacingOccurrences(of: "currency = USD", with: "currency = usd") }, 3, "[firm] currency", ""),
        ({ "stray = 1\n" + $0 }, 1, "line", "before any [section]"),
        ({ $0.replacingOccurrences(of: "[account main]", with: "[account main]\n= 5") }, 14, "line", "without a name"),
        ({ $0.replacingOccurrences(of: "duplicate_orders = 2/500ms", with: "duplicate_orders = 9/500ms") }, 0, "firm.duplicate_orders", "at most 8"),
    ]

    /// Expects `body` to throw a `RiskConfigError` with a message, naming `field` and `line` (nil:
    /// any line) and saying `says` (empty: anything).
    static func expectError(_ k: Int, line: Int?, field: String, says: String = "", _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard let e = error as? RiskConfigError else { return false }
            let ok = e.field == field && (line == nil || e.line == line) && (says.isEmpty || e.message.contains(says)) && !e.message.isEmpty
            if !ok { Issue.record("case \(k): got \(e) (line \(e.line), field \(e.field))") }
            return ok
        }
    }

    @Test(arguments: 0..<badLimits.count) func badLimitsNameTheField(_ k: Int) {
        let bad = Self.badLimits[k]
        Self.expectError(k, line: bad.line == 0 ? nil : bad.line, field: bad.field, says: bad.says) {
            _ = try Self.parse(limits: bad.edit(Self.limits))
        }
    }

    static let badInstruments: [(edit: @Sendable (String) -> String, line: Int, field: String, says: String)] = [
        ({ $0.replacingOccurrences(of: "ESZ6,0.25,", with: "ESZ6,0.2.5,") }, 2, "tick", ""),
        ({ $0.replacingOccurrences(of: "max_reference_age", with: "max_ref_age") }, 1, "max_ref_age", "unknown column"),
        ({ $0.replacingOccurrences(of: "symbol,tick", with: ",tick") }, 1, "column 1", "unknown column \"\""),
        ({ $0.replacingOccurrences(of: ",2s,limit", with: ",2s") }, 3, "row", "cells"),
        ({ $0.replacingOccurrences(of: "limit market", with: "limit iceberg") }, 2, "order_types", "unknown order type"),
        ({ $0.replacingOccurrences(of: ",5s,", with: ",5 seconds,") }, 2, "max_reference_age", "positive duration"),
        ({ $0 + "ESZ6,0.25,1,50,1000,USD,20,2000000,10,10,20,,5s,limit\n" }, 4, "symbol", "listed twice"),
        ({ $0.replacingOccurrences(of: "USD,20,2000000,10,10,20,,5s", with: "USD,20,2000000,10,10,,,5s") }, 2, "band_ticks", "set band_ticks or band_bps"),
        ({ withFees($0, es: "1.5,,", btc: ",,") }, 2, "maker_fee_rate", "between -1 and 1"),
        ({ withFees($0, es: ",0.0000000001,", btc: ",,") }, 2, "taker_fee_rate", ""),
        ({ withFees($0, es: ",,", btc: ",,nan") }, 3, "fee_per_unit", ""),
    ]

    /// The instruments file with the three fee columns, their cells for ES and BTC given.
    static func withFees(_ text: String, es: String, btc: String) -> String {
        text.replacingOccurrences(of: "order_types\n", with: "order_types,maker_fee_rate,taker_fee_rate,fee_per_unit\n")
            .replacingOccurrences(of: "limit market\n", with: "limit market,\(es)\n")
            .replacingOccurrences(of: ",2s,limit\n", with: ",2s,limit,\(btc)\n")
    }

    /// A fee schedule and venue-reported fees reach daily P&L: account main (loss limit 5,000) buys 2
    /// ES at 5000 and sells them at 5000; a 0.4 % taker fee is 2,000 a fill, and the venue reports
    /// 600 more on the second fill: 4,600 is within the limit, a third fill of 1 lot (1,000) is not.
    @Test func feesFromTheFilesTripDailyLoss() throws {
        let setup = try Self.parse(instruments: Self.withFees(Self.instruments, es: ",0.004,", btc: ",,"))
        let header = "time,event,id,account,strategy,symbol,side,type,price,qty,leaves,fee,liquidity,bid,ask,last\n"
        let tape = header + [
            "1000,quote,,,,ESZ6,,,,,,,,5000,5000.25,5000",
            "2000,new,1,main,mm,ESZ6,buy,limit,5000,2,,,,,,",
            "3000,fill,1,main,mm,ESZ6,buy,,5000,2,0,,taker,,,",
            "4000,new,2,main,mm,ESZ6,sell,limit,5000,2,,,,,,",
            "5000,fill,2,main,mm,ESZ6,sell,,5000,2,0,600,taker,,,",
            "6000,new,3,main,mm,ESZ6,buy,limit,5000,1,,,,,,",
            "7000,fill,3,main,mm,ESZ6,buy,,5000,1,0,,taker,,,",
            "8000,new,4,main,mm,ESZ6,buy,limit,5000,1,,,,,,",
        ].joined(separator: "\n") + "\n"
        let out = try RiskTape.replay(setup, tape: Array(tape.utf8))
        let lines = out.split(separator: "\n")
        #expect(lines.filter { $0.contains(",trip,") }.count == 1, "\(out)")
        #expect(lines.first { $0.contains(",trip,") }?.hasPrefix("7000,") == true, "\(out)")
        #expect(lines.last?.hasPrefix("8000,new,4,KILL_SWITCH_HALTED,") == true, "\(out)")
        let bad = tape.replacingOccurrences(of: "600,taker", with: "600,both")
        Self.expectError(0, line: 6, field: "liquidity", says: "maker or taker") { _ = try RiskTape.replay(setup, tape: Array(bad.utf8)) }
    }

    @Test(arguments: 0..<badInstruments.count) func badInstrumentsNameTheField(_ k: Int) {
        let bad = Self.badInstruments[k]
        let edited = bad.edit(Self.instruments)
        #expect(edited != Self.instruments, "case \(k): the edit does not apply")
        Self.expectError(k, line: bad.line, field: bad.field, says: bad.says) { _ = try Self.parse(instruments: edited) }
    }

    @Test func instrumentsInAnotherCurrencyAreRefused() {
        let edited = Self.instruments.replacingOccurrences(of: "1000,USD,20", with: "1000,EUR,20")
        #expect(throws: RiskConfigError.self) { try Self.parse(instruments: edited) }
    }

    static let tapeHeader = "time,event,id,orig_id,account,strategy,symbol,side,type,price,qty,leaves,bid,ask,last,scope,actor,reason\n"
    static let badTapes: [(tape: String, line: Int, field: String)] = [
        ("", 0, "header"),
        ("time,event,colour\n", 1, "colour"),
        ("event,id\n", 1, "time"),
        (tapeHeader + "1000,new,1,,main,mm,ESZ6,buy,limit,5000,1,,,,,,\n", 2, "row"),
        (tapeHeader + "soon,quote,,,,,ESZ6,,,,,,5000,5000.25,,,,\n", 2, "time"),
        (tapeHeader + "1000,teleport,,,,,ESZ6,,,,,,,,,,,\n", 2, "event"),
        (tapeHeader + "1000,new,1,,main,mm,ESZ6,up,limit,5000,1,,,,,,,\n", 2, "side"),
        (tapeHeader + "1000,new,1,,main,mm,ESZ6,buy,limit,5000,NaN,,,,,,,\n", 2, "qty"),
        (tapeHeader + "1000,quote,,,,,ESZ6,,,,,,5000,abc,,,,\n", 2, "ask"),
    ]

    /// Names the files do not define are orders the engine must refuse (fail closed), not tape errors.
    @Test func unknownNamesInTheTapeAreRefusedOrders() throws {
        let tape = Self.tapeHeader + "1000,new,1,,main,mm,NQZ6,buy,limit,5000,1,,,,,,,\n1000,new,2,,nobody,mm,ESZ6,buy,limit,5000,1,,,,,,,\n"
        let rows = try RiskTape.replay(try Self.parse(), tape: Array(tape.utf8)).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 3)
        #expect(rows[1][3] == "UNKNOWN_INSTRUMENT")
        #expect(rows[2][3] == "UNKNOWN_ACCOUNT")
    }

    @Test(arguments: 0..<badTapes.count) func badTapesNameTheLineAndColumn(_ k: Int) throws {
        let bad = Self.badTapes[k]
        let setup = try Self.parse()
        Self.expectError(k, line: bad.line, field: bad.field) { _ = try RiskTape.replay(setup, tape: Array(bad.tape.utf8)) }
    }
}
