import Synchronization
import Testing
import TernCore
@testable import TernRisk

@Suite struct KillSwitchTests {
    typealias W = World

    @Test func tripDeniesCancelsAndLatches() {
        let e = W.engine()
        var orders: [NewOrder] = []
        for k in 0..<5 {
            let o = W.order(W.es, .buy, "1", at: "\(4999 - k)", account: k % 2 == 0 ? W.acct : W.other)
            #expect(e.submit(o, at: W.t0).isAccepted)
            orders.append(o)
        }
        e.trip(.account(W.acct), actor: "trader", reason: "test", at: W.t0)
        // The next check denies, naming the scope.
        let d = e.submit(W.order(), at: W.t0)
        #expect(d.reason == .killSwitchHalted && d.limit == .killAccount)
        #expect(e.submit(W.order(account: W.other), at: W.t0).isAccepted)  // other account unaffected
        // A cancel for every working order in scope.
        var cancelled: Set<ClientOrderID> = []
        while let c = e.nextCancel() { cancelled.insert(c.originalClientOrderID) }
        #expect(cancelled == Set(orders.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.clientOrderID)))
        // Cancels always pass.
        #expect(e.submitCancel(CancelOrder(clientOrderID: W.id(), originalClientOrderID: orders[0].clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, timestamp: W.t0), at: W.t0).isAccepted)
        // Tracked to completion.
        #expect(e.workingOrderCount(in: .account(W.acct)) == 3)
        for o in orders.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) { e.apply(W.canceled(o, "1"), at: W.t0) }
        #expect(e.workingOrderCount(in: .account(W.acct)) == 0)
        // Trip again: idempotent, causes accumulate, no second cancel for the same orders.
        e.trip(.account(W.acct), cause: .securityAlert, actor: "soc", reason: "alert", at: W.t0)
        #expect(e.nextCancel() == nil)
        if case .tripped(_, let cause, let actor, _, _, let seq, let n) = e.events.last {
            #expect(cause == .securityAlert && actor == "soc" && n == 0 && seq == e.lastSequence)
        } else {
            Issue.record("no trip event: \(e.events)")
        }
    }

    @Test func scopes() {
        let e = W.engine()
        e.trip(.side(W.es, .buy), actor: "t", reason: "r", at: W.t0)
        #expect(e.submit(W.order(W.es, .buy), at: W.t0).limit == .killSide)
        #expect(e.submit(W.order(W.es, .sell, at: "5001"), at: W.t0).isAccepted)
        e.trip(.instrument(W.es), actor: "t", reason: "r", at: W.t0)
        e.trip(.strategy(W.algo), actor: "t", reason: "r", at: W.t0)
        e.trip(.firm, actor: "t", reason: "r", at: W.t0)
        // The reason names the widest tripped scope.
        #expect(e.submit(W.order(W.es, .buy), at: W.t0).limit == .killFirm)
        #expect(e.submit(W.order(W.btc, .buy, "0.001", at: "60000", strategy: W.manual), at: W.t0).limit == .killFirm)
    }

    @Test func resetIsOperatorOnlyAndRecorded() throws {
        let e = W.engine()
        e.trip(.firm, actor: "trader", reason: "fat finger", at: W.t0)
        #expect(throws: RiskOperatorError.unauthorized("trader")) {
            try e.reset(.firm, operator: "trader", reason: "oops", at: W.t0)
        }
        #expect(e.killSwitch.state(.firm) == .tripped)
        try e.reset(.firm, operator: "risk-officer", reason: "reviewed", at: W.t0)
        #expect(e.killSwitch.state(.firm) == .armed)
        #expect(e.submit(W.order(), at: W.t0).isAccepted)
        #expect(e.events.contains(.reset(scope: .firm, operator: "risk-officer", reason: "reviewed", at: W.t0)))
    }

    @Test func reducingNeverOpensOrFlips() throws {
        let e = W.engine()
        let b = W.order(W.es, .buy, "3")
        _ = e.submit(b, at: W.t0)
        e.apply(W.fill(b, "3", at: "5000", leaves: "0"), at: W.t0)
        e.trip(.account(W.acct), actor: "t", reason: "r", at: W.t0)
        try e.enterReducing(.account(W.acct), operator: "risk-officer", reason: "flatten", at: W.t0)
        #expect(e.submit(W.order(W.es, .buy, "1"), at: W.t0).reason == .reduceOnlyViolation)  // increases
        #expect(e.submit(W.order(W.btc, .buy, "0.001", at: "60000"), at: W.t0).reason == .reduceOnlyViolation)  // opens from flat
        #expect(e.submit(W.order(W.es, .sell, "4", at: "5000"), at: W.t0).reason == .reduceOnlyViolation)  // flips
        let s1 = W.order(W.es, .sell, "2", at: "5000")
        #expect(e.submit(s1, at: W.t0).isAccepted)
        // Counted at send: a second sell of 2 would oversell before any fill.
        #expect(e.submit(W.order(W.es, .sell, "2", at: "5000"), at: W.t0).reason == .reduceOnlyViolation)
        let s2 = W.order(W.es, .sell, "1", at: "5000")
        #expect(e.submit(s2, at: W.t0).isAccepted)
        e.apply(W.fill(s1, "2", at: "5000", leaves: "0"), at: W.t0)
        #expect(e.killSwitch.state(.account(W.acct)) == .reducing)
        e.apply(W.fill(s2, "1", at: "5000", leaves: "0"), at: W.t0)
        // Flat: back to tripped.
        #expect(e.killSwitch.state(.account(W.acct)) == .tripped)
        #expect(e.events.contains(.flat(scope: .account(W.acct), at: W.t0)))
    }

    @Test func executionThrottleDisablesUntilReenabled() throws {
        let e = W.engine { $0.strategies[0].executionThrottle = RateLimit(count: 3, windowNanoseconds: World.second) }
        let o = W.order(W.es, .buy, "5")
        _ = e.submit(o, at: W.t0)
        for k in 0..<2 { e.apply(W.fill(o, "1", at: "5000", leaves: "\(4 - k)"), at: W.t0) }
        #expect(e.submit(W.order(), at: W.t0).isAccepted)
        e.apply(W.fill(o, "1", at: "5000", leaves: "2"), at: W.t0)
        let d = e.submit(W.order(), at: W.t0)
        #expect(d.reason == .strategyDisabled && d.limit == .executionThrottle)
        #expect(e.pendingCancelCount == 2)  // the strategy's working orders are cancelled
        // The condition holds within the window: reset refused; after it, the operator re-enables.
        #expect(throws: RiskOperatorError.causeStillHolds(.strategy(W.algo), .executionThrottle)) {
            try e.reset(.strategy(W.algo), operator: "risk-officer", reason: "r", at: W.t0)
        }
        let later = W.t0.advanced(byNanoseconds: World.second)
        W.quote(e, at: later)
        try e.reset(.strategy(W.algo), operator: "risk-officer", reason: "reviewed", at: later)
        #expect(e.submit(W.order(time: later), at: later).isAccepted)
    }

    @Test func rejectAndOrderRateAnomaliesTrip() {
        let e = W.engine { c in
            c.accounts[0].rejectTrip = RateLimit(count: 2, windowNanoseconds: World.second)
            c.strategies[1].attemptTrip = RateLimit(count: 3, windowNanoseconds: World.second)
        }
        for _ in 0..<2 {
            let o = W.order()
            _ = e.submit(o, at: W.t0)
            e.apply(.rejected(RequestRejected(clientOrderID: o.clientOrderID, instrumentID: W.es, reason: .venueRejected, origin: .venue, timestamp: W.t0)), at: W.t0)
        }
        #expect(e.killSwitch.state(.account(W.acct)) == .tripped)
        // Attempts count denials too (a runaway loop sending bad orders).
        for _ in 0..<3 { _ = e.submit(W.order(W.es, .buy, "0", account: W.other, strategy: W.manual), at: W.t0) }
        #expect(e.killSwitch.state(.strategy(W.manual)) == .tripped)
    }

    @Test func killStateSurvivesRestart() {
        let e = W.engine()
        e.trip(.account(W.other), cause: .dailyLoss, actor: "risk", reason: "loss", at: W.t0)
        e.trip(.firm, actor: "ops", reason: "drill", at: W.t0)
        try! e.reset(.firm, operator: "risk-officer", reason: "drill over", at: W.t0)
        let recorded = e.events
        let restarted = W.engine()
        restarted.restoreKillState(from: recorded)
        #expect(restarted.killSwitch.state(.account(W.other)) == .tripped)
        #expect(restarted.killSwitch.state(.firm) == .armed)
        #expect(restarted.submit(W.order(account: W.other), at: W.t0).reason == .killSwitchHalted)
    }

    @Test func tripFromAnotherThreadEmitsCancelsAtTheNextCall() async {
        let e = W.engine()
        for _ in 0..<10 { _ = e.submit(W.order(W.es, .buy, "1", at: "4999"), at: W.t0) }
        let ks = e.killSwitch
        let tripped = await Task.detached { ks.trip(.firm, cause: .securityAlert, actor: "soc", reason: "credential leak", at: World.t0) }.value
        #expect(tripped)
        #expect(e.pendingCancelCount == 0)  // the engine thread has not run yet
        #expect(e.mayRelease(W.order()) == false)  // but the wire gate already refuses
        e.processKillRequests(at: W.t0)
        #expect(e.pendingCancelCount == 10)
    }

    /// No order is approved after `trip()` returns: a checker thread submits continuously while
    /// another trips at a random moment and then raises a flag; every decision made after the
    /// checker saw the flag must be a denial, and every approval released to the "wire" must
    /// have been approved before the trip.
    @Test func noApprovalAfterTripReturns() async {
        let rounds = 200
        for round in 0..<rounds {
            let e = W.engine { c in
                c.firm.submitRate = .unlimited
                c.strategies[0].submitRate = .unlimited
                c.accounts[0].maxWorkingOrders = 1_000_000
                c.firm.maxWorkingOrders = 1_000_000
                c.accounts[0].maxWorkingNotional = Money.max
                c.accounts[0].creditLimit = Money.max
                c.firm.creditLimit = Money.max
                c.instruments[1].maxLong = Quantity.max
            }
            let ks = e.killSwitch
            let owner = Owner(e)  // the engine is used by one thread only: this task
            let tripped = Flag()
            let delay = Int.random(in: 0..<2_000)
            let tripper = Task.detached {
                for _ in 0..<delay { _ = Int.random(in: 0..<2) }
                ks.trip(.firm, cause: .manual, actor: "t", reason: "race \(round)", at: World.t0)
                tripped.value.store(true, ordering: .sequentiallyConsistent)
            }
            let checker = Task.detached { () -> Int in
                let e = owner.engine
                var bad = 0
                var k = 0
                while true {
                    let seen = tripped.value.load(ordering: .sequentiallyConsistent)
                    let o = World.order(World.btc, .buy, "0.001", at: "\(59_990 + k % 10)")
                    let d = e.submit(o, at: World.t0)
                    if seen, d.isAccepted { bad += 1 }
                    if d.isAccepted, seen, e.mayRelease(o) { bad += 1 }
                    if seen { break }
                    k += 1
                }
                return bad
            }
            await tripper.value
            let violations = await checker.value
            #expect(violations == 0, "round \(round)")
        }
    }
}

/// Hands an engine to the one task that uses it.
final class Owner: @unchecked Sendable {
    let engine: RiskEngine
    init(_ engine: RiskEngine) { self.engine = engine }
}

final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
