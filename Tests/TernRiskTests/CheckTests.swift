import Testing
import TernCore
@testable import TernRisk

/// One test per check: at the limit passes, one unit beyond denies, with the reason and the limit.
@Suite struct CheckTests {
    typealias W = World

    func expectDenied(_ d: RiskDecision, _ reason: RejectReason, _ limit: RiskLimit, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.reason == reason, "\(d)", sourceLocation: sourceLocation)
        #expect(d.limit == limit, "\(d)", sourceLocation: sourceLocation)
    }

    @Test func acceptsAndSequences() {
        let e = W.engine()
        let a = e.submit(W.order(), at: W.t0)
        let b = e.submit(W.order(), at: W.t0)
        #expect(a.isAccepted && b.isAccepted)
        #expect(a.sequence == 1 && b.sequence == 2)
        #expect(e.position(account: W.acct, instrument: W.es)?.openBuyQuantity == W.q("2").rawValue)
        #expect(e.workingOrderCount == 2)
    }

    @Test func evaluateHasNoSideEffects() {
        let e = W.engine()
        let o = W.order()
        #expect(e.evaluate(o, at: W.t0).isAccepted)
        #expect(e.evaluate(o, at: W.t0).isAccepted)  // not recorded as a used ID
        #expect(e.workingOrderCount == 0)
        #expect(e.submit(o, at: W.t0).isAccepted)
        expectDenied(e.submit(o, at: W.t0), .duplicateClientOrderID, .clientOrderID)
    }

    @Test func unknownIdentities() {
        let e = W.engine()
        expectDenied(e.submit(W.order(InstrumentID(rawValue: 9)), at: W.t0), .unknownInstrument, .instrumentID)
        expectDenied(e.submit(W.order(account: AccountID(rawValue: 7)), at: W.t0), .unknownAccount, .accountID)
        expectDenied(e.submit(W.order(strategy: StrategyID(rawValue: 7)), at: W.t0), .unknownStrategy, .strategyID)
    }

    @Test func quantityRules() {
        let e = W.engine()
        expectDenied(e.submit(W.order(W.es, .buy, "0"), at: W.t0), .quantityInvalid, .quantityPositive)
        expectDenied(e.submit(W.order(W.es, .buy, "-1"), at: W.t0), .quantityInvalid, .quantityPositive)
        expectDenied(e.submit(W.order(W.es, .buy, "1.5"), at: W.t0), .quantityNotOnLot, .lotSize)
        expectDenied(e.submit(W.order(W.btc, .buy, "0.0005", at: "60000"), at: W.t0), .quantityNotOnLot, .lotSize)
        expectDenied(e.submit(W.order(W.es, .buy, "1001"), at: W.t0), .quantityAboveMaximum, .maxQuantity)
        let huge = NewOrder(
            clientOrderID: W.id(), instrumentID: W.es, accountID: W.acct, strategyID: W.algo, side: .buy,
            price: W.p("5000"), quantity: Quantity(rawValue: Int64.max), timestamp: W.t0)
        #expect(!e.submit(huge, at: W.t0).isAccepted)
    }

    @Test func priceRules() {
        let e = W.engine()
        expectDenied(e.submit(W.order(at: "5000.10"), at: W.t0), .priceNotOnTick, .tickSize)  // Nautilus' precision check passes this
        expectDenied(e.submit(W.order(at: "0"), at: W.t0), .priceInvalid, .priceSign)
        expectDenied(e.submit(W.order(at: "-5000"), at: W.t0), .priceInvalid, .priceSign)
        // A spread may trade below zero.
        #expect(e.submit(W.order(W.spread, .buy, "1", at: "-0.45"), at: W.t0).isAccepted)
        #expect(e.submit(W.order(W.spread, .sell, "1", at: "0"), at: W.t0).isAccepted)
        // NaN and infinities never become a Price (the float boundary refuses them).
        #expect(throws: FixedPointError.self) { try Price(Double.nan, rounding: .toNearestOrEven) }
        #expect(throws: FixedPointError.self) { try Price(Double.infinity, rounding: .toNearestOrEven) }
    }

    @Test func fatFinger() {
        let e = W.engine()
        #expect(e.submit(W.order(W.es, .buy, "8"), at: W.t0).isAccepted)  // 8 × 5000 × 50 = 2,000,000: at the limit
        let d = e.submit(W.order(W.es, .buy, "9"), at: W.t0)
        expectDenied(d, .notionalAboveMaximum, .maxOrderNotional)
        #expect(d.limitValue == W.m("2000000").rawValue && d.value == W.m("2250000").rawValue)
        #expect(e.submit(W.order(W.btc, .buy, "5", at: "60000"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.btc, .buy, "5.001", at: "60000"), at: W.t0), .quantityAboveMaximum, .maxOrderQuantity)
        // Unit confusion: the intended notional typed as the quantity.
        #expect(!e.submit(W.order(W.es, .buy, "250000"), at: W.t0).isAccepted)
    }

    @Test func notionalOverflowDeniesWithoutTrapping() {
        let e = W.engine { c in
            let spec = try! InstrumentSpec(
                id: W.btc, symbol: try! Symbol("BIG"), tickSize: W.p("1"), lotSize: W.q("1"),
                multiplier: ContractMultiplier(rawValue: Int64.max), maxQuantity: Quantity(rawValue: Int64.max / 1_000_000_000 * 1_000_000_000), currency: .usd)
            c.instruments[1] = InstrumentRisk(
                spec: spec, maxOrderQuantity: Quantity(rawValue: Int64.max), maxOrderNotional: Money.max, maxLong: .max, maxShort: .max,
                band: PriceBand(ticks: Int64.max), maxReferenceAgeNanoseconds: Int64.max)
        }
        e.updateQuote(W.btc, bid: W.p("9000000000"), ask: W.p("9000000001"), at: W.t0)
        let d = e.submit(W.order(W.btc, .buy, "9000000000", at: "9000000000"), at: W.t0)
        expectDenied(d, .notionalOverflow, .notionalRange)
    }

    @Test func collarBoundaries() {
        let e = W.engine()
        // Reference 5000 (last inside the quote); band 20 ticks = 5.00.
        #expect(e.submit(W.order(at: "5005"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(at: "5005.25"), at: W.t0), .priceOutsideBand, .band)
        // (Sells from another account: this account's buy at 5005 would make them self-matches.)
        #expect(e.submit(W.order(W.es, .sell, at: "4995", account: W.other), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.es, .sell, at: "4994.75", account: W.other), at: W.t0), .priceOutsideBand, .band)
        // A symmetric band refuses a passive buy far below too.
        expectDenied(e.submit(W.order(at: "4900"), at: W.t0), .priceOutsideBand, .band)
        // BTC: 100 bp of the mid 60000.05 = 600.0005 → 60600.05 passes, 60600.06 does not.
        #expect(e.submit(W.order(W.btc, .buy, "0.001", at: "60600.05"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.btc, .buy, "0.001", at: "60600.06"), at: W.t0), .priceOutsideBand, .band)
    }

    @Test func aggressiveOnlyBand() {
        let e = W.engine { $0.instruments[0].aggressiveOnlyBand = true }
        #expect(e.submit(W.order(at: "4900"), at: W.t0).isAccepted)  // passive buy far below: fine
        expectDenied(e.submit(W.order(at: "5005.25"), at: W.t0), .priceOutsideBand, .band)
        #expect(e.submit(W.order(W.es, .sell, at: "5100"), at: W.t0).isAccepted)
    }

    @Test func referencePriceFailsClosed() {
        let e = try! RiskEngine(W.configuration())
        expectDenied(e.submit(W.order(), at: W.t0), .noReferencePrice, .referencePrice)
        expectDenied(e.submit(W.order(type: .market), at: W.t0), .noReferencePrice, .referencePrice)  // Nautilus passes this
        W.quote(e)
        let maxAge = 5 * World.second
        #expect(e.submit(W.order(), at: W.t0.advanced(byNanoseconds: maxAge)).isAccepted)
        expectDenied(e.submit(W.order(), at: W.t0.advanced(byNanoseconds: maxAge + 1)), .staleReferencePrice, .referenceAge)
        let t1 = W.t0.advanced(byNanoseconds: maxAge + 2)
        e.updateQuote(W.es, bid: W.p("5000.25"), ask: W.p("5000"), at: t1)  // crossed
        expectDenied(e.submit(W.order(), at: t1), .referencePriceInvalid, .referencePrice)
        e.updateQuote(W.es, bid: W.p("5000"), ask: W.p("5000"), at: t1)  // locked
        expectDenied(e.submit(W.order(), at: t1), .referencePriceInvalid, .referencePrice)
        // Last outside the quote: the mid is used.
        e.updateQuote(W.es, bid: W.p("5000"), ask: W.p("5001"), last: W.p("4000"), at: t1)
        #expect(e.submit(W.order(at: "5005.5"), at: t1).isAccepted)
    }

    @Test func marketOrdersReserveTheWorstPrice() {
        let e = W.engine()
        let d = e.submit(W.order(W.es, .buy, "1", type: .market), at: W.t0)
        #expect(d.isAccepted)
        // Reserved at ref + band = 5005 × 50.
        #expect(e.position(account: W.acct, instrument: W.es)?.openBuyNotional == W.m("250250").rawValue)
    }

    @Test func sessionStates() {
        let e = W.engine()
        e.setSession(W.es, .halted)
        expectDenied(e.submit(W.order(), at: W.t0), .marketClosed, .session)
        e.setSession(W.es, .closed)
        expectDenied(e.submit(W.order(), at: W.t0), .marketClosed, .session)
        e.setSession(W.es, .auction)
        #expect(e.submit(W.order(at: "5010"), at: W.t0).isAccepted)  // auction band 40 ticks
        expectDenied(e.submit(W.order(at: "5010.25"), at: W.t0), .priceOutsideBand, .auctionBand)
        expectDenied(e.submit(W.order(type: .market), at: W.t0), .unsupportedOrderType, .session)
        e.setSession(W.btc, .preOpen)  // BTC has no auction band: nothing in pre-open
        expectDenied(e.submit(W.order(W.btc, .buy, "0.001", at: "60000"), at: W.t0), .marketClosed, .auctionBand)
    }

    @Test func typesAndTimeInForce() {
        let e = W.engine { $0.instruments[0].capabilities = OrderCapabilities(orderTypes: [.limit], timesInForce: [.day, .goodTillDate]) }
        expectDenied(e.submit(W.order(type: .market), at: W.t0), .unsupportedOrderType, .orderType)
        expectDenied(e.submit(W.order(tif: .immediateOrCancel), at: W.t0), .unsupportedTimeInForce, .timeInForce)
        var gtd = W.order(tif: .goodTillDate)
        gtd.expireTime = W.t0
        expectDenied(e.submit(gtd, at: W.t0), .expireTimeInvalid, .expireTime)
        gtd.expireTime = Timestamp(rawValue: 0)  // missing
        expectDenied(e.submit(gtd, at: W.t0), .expireTimeInvalid, .expireTime)
        gtd.expireTime = W.t0.advanced(byNanoseconds: 1)
        #expect(e.submit(gtd, at: W.t0).isAccepted)
    }

    @Test func clientOrderIDs() {
        let e = W.engine()
        let o = W.order()
        #expect(e.submit(o, at: W.t0).isAccepted)
        expectDenied(e.submit(o, at: W.t0), .duplicateClientOrderID, .clientOrderID)
        e.apply(W.canceled(o, "1"), at: W.t0)
        expectDenied(e.submit(o, at: W.t0), .duplicateClientOrderID, .clientOrderID)  // terminal: still used today
        expectDenied(e.submit(W.order(id: ClientOrderID(rawValue: 0)), at: W.t0), .clientOrderIDInvalid, .clientOrderID)
        expectDenied(e.submit(W.order(id: ClientOrderID(rawValue: 1 << 63 | 5)), at: W.t0), .clientOrderIDInvalid, .clientOrderID)
        e.beginTradingDay()
        #expect(e.submit(o, at: W.t0).isAccepted)  // a new day
    }

    @Test func workingOrdersKeepEveryIDAcrossADayRoll() {
        let e = W.engine()
        let o = W.order(at: "4999")
        #expect(e.submit(o, at: W.t0).isAccepted)
        let r = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("4998"), quantity: W.q("1"), timestamp: W.t0)
        #expect(e.submitReplace(r, at: W.t0).isAccepted)
        e.apply(.replaceAccepted(ReplaceAccepted(clientOrderID: r.clientOrderID, originalClientOrderID: o.clientOrderID, orderID: OrderID(rawValue: 1), instrumentID: W.es, price: W.p("4998"), quantity: W.q("1"), leavesQuantity: W.q("1"), timestamp: W.t0)), at: W.t0)
        e.beginTradingDay()
        // The order is still working: neither its first nor its current ID may be reused.
        expectDenied(e.submit(W.order(at: "4997", id: o.clientOrderID), at: W.t0), .duplicateClientOrderID, .clientOrderID)
        expectDenied(e.submit(W.order(at: "4997", id: r.clientOrderID), at: W.t0), .duplicateClientOrderID, .clientOrderID)
        #expect(e.submit(W.order(at: "4997"), at: W.t0).isAccepted)
    }

    @Test func contentDuplicates() {
        let e = W.engine { $0.firm.duplicateOrders = RateLimit(count: 2, windowNanoseconds: 100_000_000) }
        let t = W.t0
        #expect(e.submit(W.order(at: "4999"), at: t).isAccepted)
        #expect(e.submit(W.order(at: "4999"), at: t.advanced(byNanoseconds: 1)).isAccepted)
        expectDenied(e.submit(W.order(at: "4999"), at: t.advanced(byNanoseconds: 2)), .duplicateOrder, .duplicateWindow)
        #expect(e.submit(W.order(at: "4998.75"), at: t.advanced(byNanoseconds: 3)).isAccepted)  // different content
        // The window is (now - W, now]: exactly W after the first, it is allowed again.
        #expect(e.submit(W.order(at: "4999"), at: t.advanced(byNanoseconds: 100_000_000)).isAccepted)
    }

    @Test func fullDuplicateTableRefusesUntilTheWindowPasses() {
        let e = W.engine {
            $0.firm.duplicateOrders = RateLimit(count: 2, windowNanoseconds: W.second)
            $0.capacity.duplicateEntries = 64
            $0.accounts[0].maxWorkingOrders = 1000
        }
        // Distinct orders (one BTC price tick apart) until the table is full.
        var accepted = 0
        var refusal: RiskDecision?
        for k in 0..<200 {
            let price = Price(rawValue: W.p("59990").rawValue - Int64(k) * W.p("0.01").rawValue)
            let o = W.order(W.btc, .buy, "0.001", at: price.description)
            let d = e.submit(o, at: W.t0)
            if d.isAccepted { accepted += 1 } else { refusal = d; break }
        }
        #expect(accepted == 64)  // exactly the capacity: every distinct content is live
        #expect(refusal?.reason == .capacityExhausted)
        #expect(refusal?.limit == .duplicateCapacity)
        #expect(refusal?.limitValue == 64)
        // Once the window has passed every entry is free again.
        let later = W.t0.advanced(byNanoseconds: W.second)
        W.quote(e, at: later)
        #expect(e.submit(W.order(W.btc, .buy, "0.001", at: "59500", time: later), at: later).isAccepted)
    }

    @Test func duplicateTableSizeIsValidated() {
        var c = W.configuration()
        c.capacity.duplicateEntries = 100
        #expect(throws: RiskConfigError.self) { try c.validate() }
        c.capacity.duplicateEntries = 128
        #expect(throws: Never.self) { try c.validate() }
    }

    @Test func restrictedAndPermissions() {
        let e = W.engine { c in
            c.restricted = [W.spread]
            c.accountPermissions = [W.other: [W.btc]]
            c.strategyAccounts = [W.manual: [W.other]]
        }
        expectDenied(e.submit(W.order(W.spread, .buy, "1", at: "-0.45"), at: W.t0), .restrictedInstrument, .restrictedList)
        expectDenied(e.submit(W.order(account: W.other), at: W.t0), .notPermitted, .accountPermission)
        #expect(e.submit(W.order(W.btc, .buy, "0.001", at: "60000", account: W.other), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(strategy: W.manual), at: W.t0), .notPermitted, .strategyPermission)
    }

    @Test func worstCasePositionCountsWorkingOrders() {
        let e = W.engine { c in
            c.instruments[0].maxOrderNotional = W.m("100000000")
            c.accounts[0].maxWorkingNotional = W.m("100000000")
            c.accounts[0].creditLimit = W.m("100000000")
            c.firm.creditLimit = W.m("100000000")
        }
        // maxLong 100: two working buys of 50 reach it exactly; one more lot is denied, before any fill.
        #expect(e.submit(W.order(W.es, .buy, "50"), at: W.t0).isAccepted)
        #expect(e.submit(W.order(W.es, .buy, "50"), at: W.t0).isAccepted)
        let d = e.submit(W.order(W.es, .buy, "1"), at: W.t0)
        expectDenied(d, .positionLimit, .maxLong)
        #expect(d.value == Int128(W.q("101").rawValue))
        // Sells face their own side.
        #expect(e.submit(W.order(W.es, .sell, "50", at: "5001"), at: W.t0).isAccepted)
        #expect(e.submit(W.order(W.es, .sell, "50", at: "5001"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.es, .sell, "1", at: "5001"), at: W.t0), .positionLimit, .maxShort)
    }

    @Test func workingOrderCountAndValue() {
        let e = W.engine { c in
            c.accounts[0].maxWorkingOrders = 3
            c.accounts[0].maxWorkingNotional = W.m("750000")
            c.firm.maxWorkingOrders = 4
        }
        for _ in 0..<3 { #expect(e.submit(W.order(), at: W.t0).isAccepted) }
        expectDenied(e.submit(W.order(), at: W.t0), .openOrderLimit, .accountWorkingOrders)
        #expect(e.submit(W.order(account: W.other), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(account: W.other), at: W.t0), .openOrderLimit, .firmWorkingOrders)

        let v = W.engine { $0.accounts[0].maxWorkingNotional = W.m("500000") }
        #expect(v.submit(W.order(W.es, .buy, "2"), at: W.t0).isAccepted)  // 500,000: at the limit
        expectDenied(v.submit(W.order(W.es, .sell, "1", at: "5001"), at: W.t0), .workingValueLimit, .accountWorkingNotional)
    }

    @Test func credit() {
        let e = W.engine { c in
            c.accounts[0].creditLimit = W.m("500000")
            c.firm.creditLimit = W.m("750000")
        }
        #expect(e.submit(W.order(W.es, .buy, "2"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.es, .buy, "1"), at: W.t0), .creditLimit, .accountCredit)
        #expect(e.submit(W.order(W.es, .buy, "1", account: W.other), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.es, .buy, "1", account: W.other), at: W.t0), .creditLimit, .firmCredit)
    }

    @Test func rateLimitWindowEdges() {
        let e = W.engine { $0.strategies[0].submitRate = RateLimit(count: 3, windowNanoseconds: 1_000) }
        let t = W.t0
        for k in 0..<3 { #expect(e.submit(W.order(), at: t.advanced(byNanoseconds: Int64(k))).isAccepted) }
        expectDenied(e.submit(W.order(), at: t.advanced(byNanoseconds: 999)), .rateLimited, .strategySubmitRate)
        // A denied order used no budget: at t0 + 1000 the first stamp leaves (half-open window).
        #expect(e.submit(W.order(), at: t.advanced(byNanoseconds: 1_000)).isAccepted)
        expectDenied(e.submit(W.order(), at: t.advanced(byNanoseconds: 1_000)), .rateLimited, .strategySubmitRate)
        #expect(e.submit(W.order(), at: t.advanced(byNanoseconds: 1_001)).isAccepted)
    }

    @Test func clockGoingBackwardsUnlocksNothing() {
        let e = W.engine { $0.strategies[0].submitRate = RateLimit(count: 2, windowNanoseconds: 1_000) }
        let t = W.t0.advanced(byNanoseconds: 10_000)
        #expect(e.submit(W.order(), at: t).isAccepted)
        #expect(e.submit(W.order(), at: t).isAccepted)
        // A clock stepping back a long way must not make the window look empty.
        expectDenied(e.submit(W.order(), at: W.t0), .rateLimited, .strategySubmitRate)
        expectDenied(e.submit(W.order(), at: t.advanced(byNanoseconds: 999)), .rateLimited, .strategySubmitRate)
        #expect(e.submit(W.order(), at: t.advanced(byNanoseconds: 1_000)).isAccepted)
    }

    @Test func reduceOnly() {
        let e = W.engine()
        // Flat: a reduce-only order has nothing to reduce (Nautilus' REDUCING lets a flat BUY through).
        expectDenied(e.submit(W.order(W.es, .sell, "1", flags: .reduceOnly), at: W.t0), .reduceOnlyViolation, .reduceOnlyFlag)
        let buy = W.order(W.es, .buy, "5")
        #expect(e.submit(buy, at: W.t0).isAccepted)
        e.apply(W.fill(buy, "5", at: "5000", leaves: "0"), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.es)?.position == W.q("5").rawValue)
        expectDenied(e.submit(W.order(W.es, .sell, "6", flags: .reduceOnly), at: W.t0), .reduceOnlyViolation, .reduceOnlyFlag)  // flip
        expectDenied(e.submit(W.order(W.es, .buy, "1", flags: .reduceOnly), at: W.t0), .reduceOnlyViolation, .reduceOnlyFlag)  // same side
        #expect(e.submit(W.order(W.es, .sell, "3", flags: .reduceOnly), at: W.t0).isAccepted)
        // Two reduce-only sells each inside the long but together beyond it: the second is denied.
        expectDenied(e.submit(W.order(W.es, .sell, "3", flags: .reduceOnly), at: W.t0), .reduceOnlyViolation, .reduceOnlyFlag)
        #expect(e.submit(W.order(W.es, .sell, "2", flags: .reduceOnly), at: W.t0).isAccepted)
    }

    @Test func reduceOnlyIsClampedWhenThePositionShrinks() {
        let e = W.engine()
        let buy = W.order(W.es, .buy, "5")
        _ = e.submit(buy, at: W.t0)
        e.apply(W.fill(buy, "5", at: "5000", leaves: "0"), at: W.t0)
        let ro = W.order(W.es, .sell, "4", at: "5004", flags: .reduceOnly)
        #expect(e.submit(ro, at: W.t0).isAccepted)
        // Another sell fills 3: only 2 are left to reduce, so the resting reduce-only order must go.
        let sell = W.order(W.es, .sell, "3", at: "5000")
        _ = e.submit(sell, at: W.t0)
        e.apply(W.fill(sell, "3", at: "5000", leaves: "0"), at: W.t0)
        let cancel = e.nextCancel()
        #expect(cancel?.originalClientOrderID == ro.clientOrderID)
    }

    @Test func selfMatchPrevention() {
        let e = W.engine()
        #expect(e.submit(W.order(W.es, .sell, "1", at: "5001"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.es, .buy, "1", at: "5001"), at: W.t0), .selfMatch, .selfMatch)
        #expect(e.submit(W.order(W.es, .buy, "1", at: "5000.75"), at: W.t0).isAccepted)
        expectDenied(e.submit(W.order(W.es, .buy, "1", type: .market), at: W.t0), .selfMatch, .selfMatch)
        // Another account may trade against it under the default account scope, not under firm scope.
        #expect(e.submit(W.order(W.es, .buy, "1", at: "5001", account: W.other), at: W.t0).isAccepted)
        let f = W.engine { $0.firm.selfMatch = .firm }
        _ = f.submit(W.order(W.es, .sell, "1", at: "5001"), at: W.t0)
        expectDenied(f.submit(W.order(W.es, .buy, "1", at: "5001", account: W.other), at: W.t0), .selfMatch, .selfMatch)
    }

    @Test func driftCollarOverAPeriod() {
        let e = W.engine { c in
            c.instruments[0].driftBand = PriceBand(ticks: 30)
            c.instruments[0].driftWindowNanoseconds = 60 * World.second
        }
        // Anchor 5000 at the first order. The reference walks up; each order is inside its own band
        // but the walk may not take accepted prices more than 7.50 from the anchor in the window.
        #expect(e.submit(W.order(at: "5004"), at: W.t0).isAccepted)
        let t1 = W.t0.advanced(byNanoseconds: World.second)
        e.updateQuote(W.es, bid: W.p("5004"), ask: W.p("5004.25"), last: W.p("5004"), at: t1)
        #expect(e.submit(W.order(at: "5007.5"), at: t1).isAccepted)
        expectDenied(e.submit(W.order(at: "5007.75"), at: t1), .priceDriftLimit, .driftBand)
        // A new window re-anchors at the then reference.
        let t2 = W.t0.advanced(byNanoseconds: 61 * World.second)
        e.updateQuote(W.es, bid: W.p("5004"), ask: W.p("5004.25"), last: W.p("5004"), at: t2)
        #expect(e.submit(W.order(at: "5008"), at: t2).isAccepted)
    }

    @Test func disabledStrategyAndReconciliation() {
        let e = W.engine { $0.strategies[1].enabled = false }
        expectDenied(e.submit(W.order(strategy: W.manual), at: W.t0), .strategyDisabled, .strategyEnabled)
        #expect(throws: RiskOperatorError.self) { try e.setEnabled(W.manual, true, operator: "intern") }
        try! e.setEnabled(W.manual, true, operator: "risk-officer")
        #expect(e.submit(W.order(strategy: W.manual), at: W.t0).isAccepted)
        e.isReconciling = true
        expectDenied(e.submit(W.order(), at: W.t0), .reconciling, .reconciliation)
    }

    @Test func dailyLossDeniesRiskIncreasingOrders() {
        let e = W.engine()
        let buy = W.order(W.es, .buy, "2", at: "5000")
        _ = e.submit(buy, at: W.t0)
        e.apply(W.fill(buy, "2", at: "5000", leaves: "0"), at: W.t0)
        // The bid falls 250 points: 2 × 250 × 50 = 25,000 loss: at the limit, not beyond it.
        let t1 = W.t0.advanced(byNanoseconds: 1)
        e.updateQuote(W.es, bid: W.p("4750"), ask: W.p("4750.25"), at: t1)
        #expect(e.totals(account: W.acct)?.dailyPnL == -W.m("25000").rawValue)
        #expect(e.killSwitch.state(.account(W.acct)) == .armed)
        e.updateQuote(W.es, bid: W.p("4749.75"), ask: W.p("4750"), at: t1)
        #expect(e.killSwitch.state(.account(W.acct)) == .tripped)  // strict: one tick beyond trips
        expectDenied(e.submit(W.order(W.es, .buy, "1", at: "4750"), at: t1), .killSwitchHalted, .killAccount)
    }

    @Test func orderListsAreAllOrNothing() {
        let e = W.engine { $0.accounts[0].creditLimit = W.m("1000000") }
        let list = [W.order(W.es, .buy, "2"), W.order(W.es, .buy, "1"), W.order(W.es, .buy, "2")]
        let d = e.submitList(list, at: W.t0)
        #expect(d[2].reason == .creditLimit)
        #expect(d[0].reason == .orderListRejected && d[1].reason == .orderListRejected)
        #expect(e.workingOrderCount == 0)
        #expect(e.position(account: W.acct, instrument: W.es)?.openBuyQuantity == 0)
        #expect(e.submit(list[0], at: W.t0).isAccepted)  // its ID was not consumed
        let ok = e.submitList([W.order(W.es, .buy, "1"), W.order(W.es, .buy, "1")], at: W.t0)
        #expect(ok.allSatisfy { $0.isAccepted })  // 1,000,000 of credit: exactly the limit
    }
}
