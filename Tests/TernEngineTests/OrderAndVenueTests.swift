import Testing
import TernCore
import TernEngine
import TernMarketData

private func id(_ v: UInt64) -> ClientOrderID { ClientOrderID(rawValue: v) }
private let es = InstrumentID(rawValue: 0)
private func t(_ v: Int64) -> Timestamp { Timestamp(rawValue: v) }
private func q(_ lots: Int64) -> Quantity { Quantity(rawValue: lots * 1_000_000_000) }
private func px(_ v: Int64) -> Price { Price(rawValue: v * 1_000_000_000) }

private func newOrder(_ n: UInt64, _ side: Side = .buy, price: Int64 = 100, lots: Int64 = 5, tif: TimeInForce = .day) -> NewOrder {
    NewOrder(
        clientOrderID: id(n), instrumentID: es, accountID: AccountID(rawValue: 0), strategyID: StrategyID(rawValue: 0), side: side, timeInForce: tif,
        price: px(price), quantity: q(lots), timestamp: t(0))
}

private func fill(_ n: UInt64, exec: UInt64, lots: Int64, leaves: Int64) -> OrderEvent {
    .filled(
        Fill(
            clientOrderID: id(n), orderID: OrderID(rawValue: 7), executionID: ExecutionID(rawValue: exec), instrumentID: es, side: .buy, liquidity: .maker,
            price: px(100), quantity: q(lots), leavesQuantity: q(leaves), fee: .zero, timestamp: t(1)))
}

private func accepted(_ n: UInt64) -> OrderEvent { .accepted(OrderAccepted(clientOrderID: id(n), orderID: OrderID(rawValue: 7), instrumentID: es, timestamp: t(1))) }

private func canceled(_ n: UInt64, cancel: UInt64) -> OrderEvent {
    .cancelAccepted(
        OrderClosed(clientOrderID: id(cancel), originalClientOrderID: id(n), orderID: OrderID(rawValue: 7), instrumentID: es, closedQuantity: q(0), timestamp: t(2)))
}

@Suite("Order manager")
struct OrderManagerTests {
    @Test("the normal life: pending new → new → partially filled → filled")
    func normal() {
        let m = OrderManager()
        m.track(newOrder(1))
        #expect(m.order(id(1))?.state == .pendingNew)
        #expect(m.apply(accepted(1)) == .applied)
        #expect(m.order(id(1))?.state == .new)
        #expect(m.apply(fill(1, exec: 1, lots: 2, leaves: 3)) == .applied)
        #expect(m.order(id(1))?.state == .partiallyFilled)
        #expect(m.order(id(1))?.leaves == q(3))
        #expect(m.apply(fill(1, exec: 2, lots: 3, leaves: 0)) == .applied)
        #expect(m.order(id(1))?.state == .filled)
        #expect(m.openCount == 0)
    }

    @Test("duplicates are ignored: a second ack, the same execution twice")
    func duplicates() {
        let m = OrderManager()
        m.track(newOrder(1))
        #expect(m.apply(accepted(1)) == .applied)
        #expect(m.apply(accepted(1)) == .duplicate)
        #expect(m.apply(fill(1, exec: 9, lots: 2, leaves: 3)) == .applied)
        #expect(m.apply(fill(1, exec: 9, lots: 2, leaves: 3)) == .duplicate)
        #expect(m.order(id(1))?.filled == q(2))
    }

    @Test("out of order: a fill before the ack, the ack after the fill that filled the order")
    func fillBeforeAck() {
        let m = OrderManager()
        m.track(newOrder(1))
        #expect(m.apply(fill(1, exec: 1, lots: 5, leaves: 0)) == .applied)
        #expect(m.order(id(1))?.state == .filled)
        #expect(m.apply(accepted(1)) == .stale)
        #expect(m.order(id(1))?.state == .filled)
        #expect(m.openCount == 0)
    }

    @Test("a cancel ack that overtook a fill: the late fill is booked, the order stays canceled")
    func lateFill() {
        let m = OrderManager()
        m.track(newOrder(1))
        _ = m.apply(accepted(1))
        #expect(m.cancelRequested(id(1)))
        #expect(m.order(id(1))?.state == .pendingCancel)
        #expect(m.apply(canceled(1, cancel: 2)) == .applied)
        #expect(m.apply(fill(1, exec: 3, lots: 2, leaves: 0)) == .lateFill)
        #expect(m.order(id(1))?.state == .canceled)
        #expect(m.order(id(1))?.filled == q(2))
        #expect(m.apply(canceled(1, cancel: 2)) == .duplicate)
    }

    @Test("a rejected cancel puts the order back; a replace moves the order to its new ID")
    func cancelRejectAndReplace() {
        let m = OrderManager()
        m.track(newOrder(1))
        _ = m.apply(accepted(1))
        _ = m.apply(fill(1, exec: 1, lots: 1, leaves: 4))
        m.cancelRequested(id(1))
        let reject = RequestRejected(clientOrderID: id(2), originalClientOrderID: id(1), instrumentID: es, reason: .venueTooLateToCancel, origin: .venue, timestamp: t(2))
        #expect(m.apply(.cancelRejected(reject)) == .applied)
        #expect(m.order(id(1))?.state == .partiallyFilled)
        let replace = ReplaceOrder(clientOrderID: id(3), originalClientOrderID: id(1), instrumentID: es, accountID: AccountID(rawValue: 0), side: .buy, price: px(101), quantity: q(6), timestamp: t(3))
        m.replaceRequested(replace)
        #expect(m.order(id(1))?.state == .pendingReplace)
        let ok = ReplaceAccepted(clientOrderID: id(3), originalClientOrderID: id(1), orderID: OrderID(rawValue: 7), instrumentID: es, price: px(101), quantity: q(6), leavesQuantity: q(5), timestamp: t(4))
        #expect(m.apply(.replaceAccepted(ok)) == .applied)
        #expect(m.order(id(1))?.state == .replaced)
        #expect(m.order(id(3))?.state == .partiallyFilled)
        #expect(m.order(id(3))?.filled == q(1))
        #expect(m.order(id(3))?.leaves == q(5))
        #expect(m.openCount == 1)
        #expect(m.apply(.replaceAccepted(ok)) == .duplicate)
    }

    @Test("reports for unknown orders are counted, not trusted")
    func unknown() {
        let m = OrderManager()
        #expect(m.apply(accepted(42)) == .unknownOrder)
        #expect(m.apply(fill(42, exec: 1, lots: 1, leaves: 0)) == .unknownOrder)
    }

    @Test("a slot is reused only once its order is terminal")
    func capacity() {
        let m = OrderManager(capacity: 16)
        m.track(newOrder(1))
        #expect(!m.canTrack(id(17)))
        _ = m.apply(fill(1, exec: 1, lots: 5, leaves: 0))
        #expect(m.canTrack(id(17)))
    }
}

@Suite("Simulated venue")
struct SimulatedVenueTests {
    /// A venue over one L3 book: bids 99 (10 lots) and 98, asks 101 (4 lots) and 102 (10 lots).
    func market(latency: Int64 = 1_000, queue: Bool = true) throws -> (SimulatedVenue, MarketBook) {
        let spec = try InstrumentSpec(id: es, symbol: Symbol("TEST"), tickSize: px(1), lotSize: q(1), maxQuantity: q(1000), currency: .usd)
        let venue = try SimulatedVenue(options: VenueOptions(latencyNanoseconds: latency, queuePosition: queue, makerRate: -100_000, takerRate: 300_000), instruments: [spec])
        let book = MarketBook(instrument: es, kind: .l3, orderCapacity: 1024, levelCapacity: 64)
        _ = book.l3!.add(id: 1, side: .bid, price: px(99), size: q(10))
        _ = book.l3!.add(id: 2, side: .bid, price: px(98), size: q(10))
        _ = book.l3!.add(id: 3, side: .ask, price: px(101), size: q(4))
        _ = book.l3!.add(id: 4, side: .ask, price: px(102), size: q(10))
        venue.attach([book])
        return (venue, book)
    }

    func reports(_ venue: SimulatedVenue, until: Int64) -> [OrderEvent] {
        var out: [OrderEvent] = []
        while let r = venue.nextReport(until: t(until)) { out.append(r) }
        return out
    }

    @Test("an order arrives after the latency; a crossing order takes liquidity level by level, taker fee")
    func aggressive() throws {
        let (venue, _) = try market()
        venue.send(.new(newOrder(1, .buy, price: 102, lots: 6)))
        venue.marketTime(t(999), handedOff: 1)
        #expect(reports(venue, until: 10_000).isEmpty, "not arrived yet")
        venue.marketTime(t(1_000), handedOff: 1)
        #expect(reports(venue, until: 1_999).isEmpty, "reports take the latency back")
        let r = reports(venue, until: 2_000)
        #expect(r.count == 3)
        guard case .accepted = r[0], case .filled(let f1) = r[1], case .filled(let f2) = r[2] else {
            Issue.record("\(r)")
            return
        }
        #expect(f1.price == px(101) && f1.quantity == q(4) && f1.liquidity == .taker)
        #expect(f2.price == px(102) && f2.quantity == q(2) && f2.leavesQuantity == q(0))
        // 3 basis points of 404 = 0.1212
        #expect(f1.fee == Money(rawValue: 121_200_000_000_000_000))
    }

    @Test("immediate-or-cancel: the rest expires")
    func ioc() throws {
        let (venue, _) = try market()
        venue.send(.new(newOrder(1, .buy, price: 101, lots: 6, tif: .immediateOrCancel)))
        venue.marketTime(t(1_000), handedOff: 1)
        let r = reports(venue, until: 2_000)
        guard r.count == 3, case .filled(let f) = r[1], case .expired(let e) = r[2] else {
            Issue.record("\(r)")
            return
        }
        #expect(f.quantity == q(4))
        #expect(e.closedQuantity == q(2))
    }

    @Test("a passive order fills only after the queue ahead of it has traded")
    func queuePosition() throws {
        let (venue, book) = try market()
        venue.send(.new(newOrder(1, .buy, price: 99, lots: 3)))
        venue.marketTime(t(1_000), handedOff: 1)
        _ = reports(venue, until: 2_000)  // the ack
        venue.trade(on: book, aggressor: .ask, price: px(99), size: q(8), at: t(3_000))
        #expect(reports(venue, until: 10_000).isEmpty, "8 of the 10 lots ahead traded")
        venue.trade(on: book, aggressor: .ask, price: px(99), size: q(4), at: t(4_000))
        let r = reports(venue, until: 10_000)
        guard r.count == 1, case .filled(let f) = r[0] else {
            Issue.record("\(r)")
            return
        }
        #expect(f.quantity == q(2) && f.liquidity == .maker && f.price == px(99))
        #expect(f.fee.rawValue < 0, "a maker rebate")
    }

    @Test("a trade through the price fills a resting order; a cancel after the fill is too late")
    func tradeThroughAndLateCancel() throws {
        let (venue, book) = try market()
        venue.send(.new(newOrder(1, .sell, price: 101, lots: 2)))
        venue.marketTime(t(1_000), handedOff: 1)
        venue.trade(on: book, aggressor: .bid, price: px(102), size: q(5), at: t(2_000))
        let cancel = CancelOrder(clientOrderID: id(2), originalClientOrderID: id(1), instrumentID: es, accountID: AccountID(rawValue: 0), side: .sell, timestamp: t(2_000))
        venue.send(.cancel(cancel))
        venue.marketTime(t(3_000), handedOff: 2)
        let r = reports(venue, until: 10_000)
        guard r.count == 3, case .filled(let f) = r[1], case .cancelRejected(let c) = r[2] else {
            Issue.record("\(r)")
            return
        }
        #expect(f.quantity == q(2) && f.price == px(101))
        #expect(c.reason == .venueTooLateToCancel)
    }

    @Test("a resting order the book crosses fills at its own price")
    func crossed() throws {
        let (venue, book) = try market()
        venue.send(.new(newOrder(1, .buy, price: 100, lots: 1)))
        venue.marketTime(t(1_000), handedOff: 1)
        _ = book.l3!.add(id: 9, side: .ask, price: px(100), size: q(3))
        venue.bookChanged(book, at: t(1_500))
        let r = reports(venue, until: 10_000)
        guard r.count == 2, case .filled(let f) = r[1] else {
            Issue.record("\(r)")
            return
        }
        #expect(f.price == px(100) && f.quantity == q(1))
        #expect(venue.restingCount == 0)
    }
}
