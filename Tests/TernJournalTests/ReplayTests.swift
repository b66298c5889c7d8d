import Foundation
import Synchronization
import Testing
import TernCore
import TernJournal
import TernRisk
import TernTestSupport

/// The example configuration (examples/risk), with limits widened so a random workload trades for
/// a while before the kill switch stops it.
enum RiskFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let limits = try! String(contentsOf: root.appendingPathComponent("examples/risk/limits.conf"), encoding: .utf8)
    static let instruments = try! String(contentsOf: root.appendingPathComponent("examples/risk/instruments.csv"), encoding: .utf8)

    static func setup() -> RiskSetup {
        try! RiskSetup.parse(limits: Array(limits.utf8), instruments: Array(instruments.utf8))
    }

    static func configuration() -> RiskConfiguration {
        var c = setup().configuration
        c.firm.submitRate = RateLimit(count: 400, windowNanoseconds: 1_000_000)
        c.strategies[0].submitRate = RateLimit(count: 300, windowNanoseconds: 1_000_000)
        c.strategies[0].attemptTrip = RateLimit(count: 500, windowNanoseconds: 1_000_000)
        c.strategies[0].executionThrottle = RateLimit(count: 60, windowNanoseconds: 1_000_000)
        c.accounts[0].rejectTrip = RateLimit(count: 30, windowNanoseconds: 1_000_000)
        c.firm.duplicateOrders = RateLimit(count: 3, windowNanoseconds: 100_000)
        return c
    }
}

/// A random but reproducible day of trading against an engine: quotes, single orders and lists,
/// acks, partial and full fills (with duplicates, late and unknown ones), cancels, replaces,
/// rejects, expiries, external fills, session changes, operator trips, resets and REDUCING,
/// strategy enable/disable, reconciling and a new trading day. Times mostly move forward.
struct RiskWorkload {
    var rng: SplitMix64
    var now: Int64 = 1_000_000_000
    var nextID: UInt64 = 1
    var nextExec: UInt64 = 1
    var sent: [NewOrder] = []
    var mids: [Int64] = [5000 * 1_000_000_000, 60000 * 1_000_000_000]
    let ticks: [Int64] = [250_000_000, 10_000_000]
    let lots: [Int64] = [1_000_000_000, 1_000_000]

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }

    mutating func order(_ i: Int) -> NewOrder {
        let side: Side = chance(50) ? .buy : .sell
        var price = mids[i] + Int64(int(21) - 10) * ticks[i]
        if chance(3) { price += 1 }  // off tick
        let qty = Int64(1 + int(i == 0 ? 4 : 3)) * lots[i]
        let market = i == 0 && chance(5)
        var flags: OrderFlags = []
        if chance(8) { flags.insert(.reduceOnly) }
        defer { nextID += 1 }
        return NewOrder(
            clientOrderID: ClientOrderID(rawValue: chance(2) ? max(1, nextID - 1) : nextID), instrumentID: InstrumentID(rawValue: UInt32(i)),
            accountID: AccountID(rawValue: 0), strategyID: StrategyID(rawValue: 0), side: side, orderType: market ? .market : .limit,
            flags: flags, price: Price(rawValue: market ? 0 : price), quantity: Quantity(rawValue: qty), timestamp: Timestamp(rawValue: now))
    }

    /// One step against `engine`.
    mutating func step(_ engine: RiskEngine) {
        now += Int64(1 + int(400_000))
        if chance(1) { now -= 50_000 }  // a clock that steps back
        let t = Timestamp(rawValue: now)
        let i = int(2)
        let inst = InstrumentID(rawValue: UInt32(i))
        let pick = int(1000)
        func working() -> NewOrder? { sent.isEmpty ? nil : sent[int(sent.count)] }
        switch pick {
        case 0..<180:
            mids[i] += Int64(int(5) - 2) * ticks[i]
            let spread = Int64(1 + int(2)) * ticks[i]
            engine.updateQuote(inst, bid: Price(rawValue: mids[i]), ask: Price(rawValue: mids[i] + spread), last: chance(70) ? Price(rawValue: mids[i]) : nil, at: t)
        case 180..<480:
            let o = order(i)
            if engine.submit(o, at: t).isAccepted { sent.append(o) }
        case 480..<510:
            let list = (0..<(2 + int(3))).map { _ in order(int(2)) }
            for (o, d) in zip(list, engine.submitList(list, at: t)) where d.isAccepted { sent.append(o) }
        case 510..<600:
            if let o = working() {
                engine.apply(.accepted(OrderAccepted(clientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue), instrumentID: o.instrumentID, timestamp: t)), at: t)
            }
        case 600..<760:
            if let o = working() {
                let k = Int(o.instrumentID.rawValue)
                let full = chance(50)
                let q = full ? o.quantity.rawValue : lots[k]
                let exec = chance(3) ? max(1, nextExec - 1) : nextExec
                nextExec += 1
                let f = Fill(
                    clientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue), executionID: ExecutionID(rawValue: exec),
                    instrumentID: o.instrumentID, side: o.side, liquidity: chance(50) ? .maker : .taker,
                    price: o.orderType == .market ? Price(rawValue: mids[k]) : o.price, quantity: Quantity(rawValue: q),
                    leavesQuantity: Quantity(rawValue: full ? 0 : max(0, o.quantity.rawValue - q)), fee: Money(rawValue: Int128(int(1000)) * 1_000_000_000_000), timestamp: t)
                engine.apply(.filled(f), at: t)
                if full { sent.removeAll { $0.clientOrderID == o.clientOrderID } }
            }
        case 760..<830:
            if let o = working() {
                let id = ClientOrderID(rawValue: nextID)
                nextID += 1
                let c = CancelOrder(clientOrderID: id, originalClientOrderID: o.clientOrderID, instrumentID: o.instrumentID, accountID: o.accountID, side: o.side, timestamp: t)
                if engine.submitCancel(c, at: t).isAccepted, chance(80) {
                    engine.apply(.cancelAccepted(OrderClosed(clientOrderID: id, originalClientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue), instrumentID: o.instrumentID, closedQuantity: o.quantity, timestamp: t)), at: t)
                    sent.removeAll { $0.clientOrderID == o.clientOrderID }
                }
            }
        case 830..<880:
            if let o = working(), o.orderType == .limit {
                let k = Int(o.instrumentID.rawValue)
                let id = ClientOrderID(rawValue: nextID)
                nextID += 1
                let price = Price(rawValue: o.price.rawValue + Int64(int(5) - 2) * ticks[k])
                let r = ReplaceOrder(clientOrderID: id, originalClientOrderID: o.clientOrderID, instrumentID: o.instrumentID, accountID: o.accountID, side: o.side, price: price, quantity: o.quantity, timestamp: t)
                if engine.submitReplace(r, at: t).isAccepted {
                    if chance(70) {
                        engine.apply(.replaceAccepted(ReplaceAccepted(clientOrderID: id, originalClientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue), instrumentID: o.instrumentID, price: price, quantity: o.quantity, leavesQuantity: o.quantity, timestamp: t)), at: t)
                        sent.removeAll { $0.clientOrderID == o.clientOrderID }
                        var n = o
                        n.clientOrderID = id
                        n.price = price
                        sent.append(n)
                    } else {
                        engine.apply(.replaceRejected(RequestRejected(clientOrderID: id, originalClientOrderID: o.clientOrderID, instrumentID: o.instrumentID, reason: .venueRejected, origin: .venue, timestamp: t)), at: t)
                    }
                }
            }
        case 880..<905:
            if let o = working() {
                engine.apply(.rejected(RequestRejected(clientOrderID: o.clientOrderID, instrumentID: o.instrumentID, reason: .venueRejected, origin: .venue, timestamp: t)), at: t)
                sent.removeAll { $0.clientOrderID == o.clientOrderID }
            }
        case 905..<915:
            if let o = working() {
                engine.apply(.expired(OrderClosed(clientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue), instrumentID: o.instrumentID, closedQuantity: o.quantity, timestamp: t)), at: t)
                sent.removeAll { $0.clientOrderID == o.clientOrderID }
            }
        case 915..<925:
            let f = Fill(
                clientOrderID: ClientOrderID(rawValue: 0), orderID: OrderID(rawValue: 0), executionID: ExecutionID(rawValue: nextExec), instrumentID: inst,
                side: chance(50) ? .buy : .sell, price: Price(rawValue: mids[i]), quantity: Quantity(rawValue: lots[i]), leavesQuantity: .zero, timestamp: t)
            nextExec += 1
            engine.applyExternalFill(account: AccountID(rawValue: 0), f, at: t)
        case 925..<935:
            engine.setSession(inst, chance(70) ? .open : [.halted, .auction, .preOpen][int(3)])
        case 935..<945:
            let scopes: [KillScope] = [.instrument(inst), .side(inst, .sell), .strategy(StrategyID(rawValue: 0)), .account(AccountID(rawValue: 0))]
            engine.trip(scopes[int(scopes.count)], actor: "alice", reason: "test \(pick)", at: t)
        case 945..<985:
            let scopes: [KillScope] = [.firm, .account(AccountID(rawValue: 0)), .strategy(StrategyID(rawValue: 0)), .instrument(inst), .side(inst, .sell), .side(inst, .buy)]
            let s = scopes[int(scopes.count)]
            if chance(75) {
                try? engine.reset(s, operator: chance(95) ? "alice" : "mallory", reason: "checked", at: t)
            } else {
                try? engine.enterReducing(s, operator: "risk-desk", reason: "flatten", at: t)
            }
        case 985..<990:
            engine.isReconciling = chance(50)
            if chance(50) { engine.isReconciling = false }
        case 990..<995:
            try? engine.setEnabled(StrategyID(rawValue: 0), chance(80), operator: "alice")
        case 995..<997:
            engine.beginTradingDay()
        default:
            engine.processKillRequests(at: t)
        }
        while engine.nextCancel() != nil {}
    }
}

@Suite struct RiskReplayTests {
    static func writerOptions() -> JournalOptions {
        var o = J.small()
        o.segmentCapacity = 1 << 20
        o.ringCapacity = 4 << 20
        return o
    }

    /// Runs `steps` of the workload against a journaled engine (optionally with another thread
    /// tripping scopes meanwhile); returns the live engine after closing the journal.
    static func journaledRun(_ dir: String, seed: UInt64, steps: Int, concurrentTrips: Bool) throws -> RiskEngine {
        let engine = try RiskEngine(RiskFixture.configuration())
        let writer = try JournalWriter(directory: dir, options: writerOptions())
        let journal = RiskJournal(writer: writer, engine: engine, limits: RiskFixture.limits, instruments: RiskFixture.instruments, lossPolicy: .wait)
        let stop = Atomic<Bool>(false)
        let stopped = Atomic<Bool>(!concurrentTrips)
        let kill = engine.killSwitch
        let tripper = concurrentTrips
            ? Thread {
                var k = 0
                defer { stopped.store(true, ordering: .releasing) }
                while !stop.load(ordering: .relaxed) {
                    usleep(1000)
                    let scopes: [KillScope] = [.instrument(InstrumentID(rawValue: UInt32(k % 2))), .strategy(StrategyID(rawValue: 0)), .side(InstrumentID(rawValue: 0), .buy)]
                    kill.trip(scopes[k % 3], cause: .securityAlert, actor: "soc", reason: "alert \(k)", at: Timestamp(rawValue: Int64(k)))
                    k += 1
                }
            } : nil
        tripper?.start()
        var w = RiskWorkload(seed: seed)
        for _ in 0..<steps { w.step(engine) }
        stop.store(true, ordering: .relaxed)
        while !stopped.load(ordering: .acquiring) { usleep(100) }
        try journal.close()
        #expect(journal.lost == 0)
        return engine
    }

    @Test(arguments: [(UInt64(1), false), (2, true), (3, true)])
    func replayRebuildsTheLiveState(seed: UInt64, concurrentTrips: Bool) throws {
        let dir = Scratch("replay")
        defer { dir.remove() }
        let live = try Self.journaledRun(dir.path, seed: seed, steps: 20_000, concurrentTrips: concurrentTrips)
        #expect(live.counters.accepted > 20)
        #expect(live.counters.denied > 1000)
        #expect(live.events.count > 5)

        let reader = try JournalReader(directory: dir.path)
        let text = try RiskReplay.configurationText(reader)
        #expect(text?.limits == RiskFixture.limits)
        let replayed = try RiskEngine(RiskFixture.configuration())
        let report = try RiskReplay.replay(reader, into: replayed)
        #expect(report.isExact, "\(report)")
        #expect(report.digestsChecked == 1)
        #expect(report.digest == live.stateDigest)
        #expect(replayed.stateDigest == live.stateDigest)
        for a in 0..<1 {
            for i in 0..<2 {
                let (aid, iid) = (AccountID(rawValue: UInt32(a)), InstrumentID(rawValue: UInt32(i)))
                #expect(replayed.position(account: aid, instrument: iid) == live.position(account: aid, instrument: iid))
            }
        }
        #expect(replayed.firmTotals == live.firmTotals)
        #expect(replayed.counters == live.counters)
        #expect(replayed.events == live.events)
        #expect(replayed.lastSequence == live.lastSequence)
        #expect(replayed.workingOrderCount == live.workingOrderCount)
    }

    @Test func aDifferentStateIsDetected() throws {
        let dir = Scratch("replay-diff")
        defer { dir.remove() }
        let live = try Self.journaledRun(dir.path, seed: 9, steps: 3_000, concurrentTrips: false)
        // The same configuration, but one extra (denied) order before the replay: the digest must differ.
        let other = try RiskEngine(RiskFixture.configuration())
        var extra = RiskWorkload(seed: 1)
        _ = other.submit(extra.order(0), at: Timestamp(rawValue: 5))
        let report = try RiskReplay.replay(try JournalReader(directory: dir.path), into: other)
        #expect(!report.isExact)
        #expect(report.digest != live.stateDigest)
        // Another configuration is refused with the record that says so.
        var c = RiskFixture.configuration()
        c.firm.maxWorkingOrders = 7
        #expect(throws: JournalError.self) { try RiskReplay.replay(try JournalReader(directory: dir.path), into: try RiskEngine(c)) }
    }

    /// A restart: the writer stops without a session end (as after a crash, once everything is
    /// durable); recovery rebuilds the engine, which then trades on in step with a twin that never
    /// stopped; a replay of the whole journal (two sessions) ends at the twin's state.
    @Test func recoveryContinuesWhereTheCrashLeft() throws {
        let dir = Scratch("recover")
        defer { dir.remove() }
        let live = try RiskEngine(RiskFixture.configuration())
        let writer = try JournalWriter(directory: dir.path, options: Self.writerOptions())
        _ = RiskJournal(writer: writer, engine: live, lossPolicy: .wait)
        var w = RiskWorkload(seed: 77)
        for _ in 0..<5_000 { w.step(live) }
        live.recorder = nil
        try writer.close()  // "crash": no session end

        let (recovered, journal, report) = try RiskJournal.recover(directory: dir.path, options: Self.writerOptions(), configuration: RiskFixture.configuration())
        #expect(report.isExact, "\(report)")
        #expect(report.digestsChecked == 0)
        #expect(recovered.stateDigest == live.stateDigest)
        // Client order IDs survive the restart: a reused one is refused.
        let reused = NewOrder(
            clientOrderID: ClientOrderID(rawValue: 1), instrumentID: InstrumentID(rawValue: 0), accountID: AccountID(rawValue: 0),
            strategyID: StrategyID(rawValue: 0), side: .buy, price: Price(rawValue: 5000 * 1_000_000_000), quantity: Quantity(rawValue: 1_000_000_000),
            timestamp: Timestamp(rawValue: w.now))
        #expect(recovered.evaluate(reused, at: reused.timestamp).reason == live.evaluate(reused, at: reused.timestamp).reason)
        #expect(!recovered.evaluate(reused, at: reused.timestamp).isAccepted)

        var twin = w
        for _ in 0..<3_000 {
            w.step(recovered)
            twin.step(live)
        }
        #expect(recovered.stateDigest == live.stateDigest)
        try journal.close()
        let all = try RiskReplay.replay(try JournalReader(directory: dir.path), into: try RiskEngine(RiskFixture.configuration()))
        #expect(all.isExact, "\(all)")
        #expect(all.sessions == 2)
        #expect(all.digest == live.stateDigest)
    }

    /// Every kind of record comes back from disk exactly as it went in.
    @Test func everyRecordKindRoundTrips() throws {
        let dir = Scratch("payloads")
        defer { dir.remove() }
        let d = RiskDecision(reason: .priceOutsideBand, limit: .band, limitValue: -(Int128(1) << 100), value: Int128.max, sequence: 99)
        let o = NewOrder(
            clientOrderID: ClientOrderID(rawValue: .max), instrumentID: InstrumentID(rawValue: 7), accountID: AccountID(rawValue: 3),
            strategyID: StrategyID(rawValue: 2), side: .sell, orderType: .stopLimit, timeInForce: .goodTillDate, flags: [.reduceOnly, .postOnly],
            price: Price(rawValue: -5), stopPrice: Price(rawValue: .min), quantity: Quantity(rawValue: .max), expireTime: Timestamp(rawValue: 42),
            timestamp: Timestamp(rawValue: -1))
        let c = CancelOrder(clientOrderID: ClientOrderID(rawValue: 5), originalClientOrderID: ClientOrderID(rawValue: 4), instrumentID: InstrumentID(rawValue: 1), accountID: AccountID(rawValue: 0), side: .buy, timestamp: Timestamp(rawValue: 8))
        let r = ReplaceOrder(clientOrderID: ClientOrderID(rawValue: 6), originalClientOrderID: ClientOrderID(rawValue: 4), instrumentID: InstrumentID(rawValue: 1), accountID: AccountID(rawValue: 0), side: .buy, price: Price(rawValue: 77), quantity: Quantity(rawValue: 3), timestamp: Timestamp(rawValue: 9))
        let f = Fill(
            clientOrderID: ClientOrderID(rawValue: 4), orderID: OrderID(rawValue: 40), executionID: ExecutionID(rawValue: 400), instrumentID: InstrumentID(rawValue: 1),
            side: .sell, liquidity: .maker, price: Price(rawValue: 12), quantity: Quantity(rawValue: 2), leavesQuantity: Quantity(rawValue: 1),
            fee: Money(rawValue: -(Int128(1) << 90)), timestamp: Timestamp(rawValue: 10))
        let rej = RequestRejected(clientOrderID: ClientOrderID(rawValue: 6), originalClientOrderID: ClientOrderID(rawValue: 4), instrumentID: InstrumentID(rawValue: 1), reason: .venueTooLateToCancel, origin: .venue, timestamp: Timestamp(rawValue: 11))
        let closed = OrderClosed(clientOrderID: ClientOrderID(rawValue: 5), originalClientOrderID: ClientOrderID(rawValue: 4), orderID: OrderID(rawValue: 40), instrumentID: InstrumentID(rawValue: 1), closedQuantity: Quantity(rawValue: 1), timestamp: Timestamp(rawValue: 12))
        let records: [RiskRecord] = [
            .order(o, d, index: 0, count: 1), .order(o, d, index: 2, count: 3), .replace(r, d), .cancel(c, d),
            .venue(.newOrder(o)), .venue(.cancelOrder(c)), .venue(.replaceOrder(r)),
            .venue(.accepted(OrderAccepted(clientOrderID: ClientOrderID(rawValue: 4), orderID: OrderID(rawValue: 40), instrumentID: InstrumentID(rawValue: 1), timestamp: Timestamp(rawValue: 1)))),
            .venue(.rejected(rej)), .venue(.filled(f)), .venue(.cancelAccepted(closed)), .venue(.cancelRejected(rej)),
            .venue(.replaceAccepted(ReplaceAccepted(clientOrderID: ClientOrderID(rawValue: 6), originalClientOrderID: ClientOrderID(rawValue: 4), orderID: OrderID(rawValue: 41), instrumentID: InstrumentID(rawValue: 1), price: Price(rawValue: 13), quantity: Quantity(rawValue: 5), leavesQuantity: Quantity(rawValue: 4), timestamp: Timestamp(rawValue: 2)))),
            .venue(.replaceRejected(rej)), .venue(.expired(closed)),
            .externalFill(AccountID(rawValue: 9), f),
            .quote(InstrumentID(rawValue: 1), bid: Price(rawValue: -3), ask: Price(rawValue: 4), last: nil),
            .quote(InstrumentID(rawValue: 1), bid: Price(rawValue: 3), ask: Price(rawValue: 4), last: Price(rawValue: 3)),
            .fx(.eur, rate: Price(rawValue: 1_083_500_000)), .fx(try! Currency(code: "USDC", minorUnitExponent: 6), rate: Price(rawValue: -1)),
            .session(InstrumentID(rawValue: 1), .auction), .reconciling(true), .reconciling(false), .tradingDay,
            .enabled(StrategyID(rawValue: 2), false, operator: "alice"),
            .event(.tripped(scope: .side(InstrumentID(rawValue: 1), .sell), cause: .journalFailure, actor: "soc ✓", reason: String(repeating: "é", count: 3000), at: Timestamp(rawValue: 5), lastApprovedSequence: 17, cancels: 4), .external),
            .event(.reset(scope: .firm, operator: "alice", reason: "ok", at: Timestamp(rawValue: 6)), .operator),
            .event(.reducing(scope: .account(AccountID(rawValue: 3)), operator: "bob", reason: "", at: Timestamp(rawValue: 7)), .restored),
            .event(.flat(scope: .strategy(StrategyID(rawValue: 2)), at: Timestamp(rawValue: 8)), .derived),
            .event(.anomaly(kind: .overfill, clientOrderID: ClientOrderID(rawValue: 4), instrumentID: InstrumentID(rawValue: 1), at: Timestamp(rawValue: 9)), .derived),
        ]
        let writer = try JournalWriter(directory: dir.path, options: J.small())
        for rec in records {
            let n = RiskPayload.size(rec)
            let bytes = [UInt8](unsafeUninitializedCapacity: n) { buf, count in count = RiskPayload.encode(rec, into: UnsafeMutableRawPointer(buf.baseAddress!)) }
            #expect(bytes.withUnsafeBytes { writer.append(type: RiskPayload.type(rec).rawValue, timestamp: 1, payload: $0) } != 0)
        }
        try writer.close()
        var back: [RiskRecord] = []
        try JournalReader(directory: dir.path).forEach { (rec) throws(JournalError) in
            if case .record(let x)? = try RiskPayload.decode(rec) { back.append(x) }
        }
        // The 3000 "é" (6000 bytes) are cut at 4096 bytes, on a character boundary.
        var expected = records
        expected[25] = .event(.tripped(scope: .side(InstrumentID(rawValue: 1), .sell), cause: .journalFailure, actor: "soc ✓", reason: String(repeating: "é", count: 2048), at: Timestamp(rawValue: 5), lastApprovedSequence: 17, cancels: 4), .external)
        #expect(back.count == expected.count)
        for (a, b) in zip(back, expected) { #expect(a == b) }
    }

    /// Every prefix of every kind of payload, and every byte of it set to 0xFF, is either decoded
    /// or refused with a `badPayload` error naming the field; nothing traps.
    @Test func damagedPayloadsAreRefusedWithTheField() throws {
        let dir = Scratch("bad-payloads")
        defer { dir.remove() }
        let src = Scratch("bad-payloads-src")
        defer { src.remove() }
        _ = try Self.journaledRun(src.path, seed: 5, steps: 2_000, concurrentTrips: false)
        var samples: [UInt16: [UInt8]] = [:]
        try JournalReader(directory: src.path).forEach { (rec) throws(JournalError) in
            if samples[rec.type] == nil { samples[rec.type] = Array(rec.payload) }
        }
        #expect(samples.count >= 12)
        let writer = try JournalWriter(directory: dir.path, options: J.small())
        var written = 0
        func append(_ type: UInt16, _ p: UnsafeRawBufferPointer) {
            while writer.append(type: type, timestamp: 0, payload: p) == 0 { usleep(100) }
        }
        for (type, payload) in samples.sorted(by: { $0.key < $1.key }) {
            for cut in 0..<payload.count {
                payload.withUnsafeBytes { append(type, UnsafeRawBufferPointer(rebasing: $0[0..<cut])) }
                written += 1
            }
            for k in 0..<payload.count {
                var p = payload
                p[k] = 0xFF
                p.withUnsafeBytes { append(type, $0) }
                written += 1
            }
            var longer = payload
            longer.append(0)
            longer.withUnsafeBytes { append(type, $0) }
            written += 1
        }
        append(999, UnsafeRawBufferPointer(start: nil, count: 0))
        try writer.close()
        var refused = 0
        var decoded = 0
        try JournalReader(directory: dir.path).forEach { (rec) throws(JournalError) in
            do throws(JournalError) {
                _ = try RiskPayload.decode(rec)
                decoded += 1
            } catch {
                #expect(error.kind == .badPayload)
                #expect(error.sequence == rec.sequence)
                #expect(error.message.contains("field") || error.message.contains("unknown record type"))
                refused += 1
            }
        }
        #expect(refused + decoded == written + 1)
        // Every short or long payload is refused; only some 0xFF bytes land in free-form fields.
        #expect(refused > written / 2)
    }

    /// `tern risk check --journal` then `tern journal replay --json`: the rebuilt state is the
    /// state of the same tape run in this process, and a journal replayed with other limits is refused.
    @Test func theCommandLineRebuildsTheTapeRun() throws {
        guard let tern = FaultTests.tern else {
            Issue.record("the tern executable is not built next to the tests")
            return
        }
        let dir = Scratch("cli")
        defer { dir.remove() }
        let ex = RiskFixture.root.appendingPathComponent("examples/risk").path
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tern)
            p.arguments = args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = Pipe()
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let journal = dir.path + "/j"
        let (rc, _) = try run([
            "risk", "check", "--limits", ex + "/limits.conf", "--instruments", ex + "/instruments.csv", "--events", ex + "/events.csv",
            "--output", dir.path + "/decisions.csv", "--journal", journal,
        ])
        #expect(rc == 0)
        let (rc2, text) = try run(["journal", "replay", journal, "--json"])
        #expect(rc2 == 0)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]

        let setup = RiskFixture.setup()
        let engine = try RiskEngine(setup.configuration)
        _ = try RiskTape.replay(setup, tape: Array(try Data(contentsOf: URL(fileURLWithPath: ex + "/events.csv"))), engine: engine)
        #expect(json["exact"] as? Bool == true)
        #expect(json["digest"] as? String == String(engine.stateDigest, radix: 16).leftPadded(16))
        #expect(json["digests_checked"] as? Int == 1)
        let positions = json["positions"] as! [[String: Any]]
        let es = engine.position(account: AccountID(rawValue: 0), instrument: InstrumentID(rawValue: 0))!
        #expect(positions.first?["realized"] as? String == Money(rawValue: es.realized).description)
        #expect(positions.first?["position"] as? String == Quantity(rawValue: es.position).description)
        let kill = json["kill"] as! [[String: Any]]
        #expect(kill.map { $0["scope"] as! String } == ["account:main"])
        #expect((json["counters"] as! [String: Any])["accepted"] as? Int == engine.counters.accepted)

        // Other limits: refused (exit 64) with the reason.
        let other = dir.path + "/limits.conf"
        try RiskFixture.limits.replacingOccurrences(of: "max_working_orders = 500", with: "max_working_orders = 499").write(toFile: other, atomically: true, encoding: .utf8)
        let (rc3, _) = try run(["journal", "replay", journal, "--limits", other, "--instruments", ex + "/instruments.csv"])
        #expect(rc3 == 64)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
