import Foundation
import Testing
import TernCore
import TernTestSupport
@testable import TernMarketData

private func px(_ text: String) -> Price { Price(text)! }
private func qty(_ text: String) -> Quantity { Quantity(text)! }
private let longRuns = ProcessInfo.processInfo.environment["TERN_LONG_TESTS"] != nil ? 10 : 1

@Suite("L2Book")
struct L2BookTests {
    @Test func set_keepsBestAtTheTopOfEachSide() {
        let book = L2Book(capacity: 8)
        #expect(book.set(.bid, price: px("100.5"), size: qty("2")) == .applied)
        #expect(book.set(.bid, price: px("101"), size: qty("1")) == .applied)
        #expect(book.set(.bid, price: px("99"), size: qty("3")) == .applied)
        #expect(book.set(.ask, price: px("102"), size: qty("4")) == .applied)
        #expect(book.set(.ask, price: px("101.5"), size: qty("5")) == .applied)
        #expect(book.bestBid == BookLevel(price: px("101"), size: qty("1"), orders: 0))
        #expect(book.bestAsk == BookLevel(price: px("101.5"), size: qty("5"), orders: 0))
        #expect(book.levels(.bid).map(\.price) == [px("101"), px("100.5"), px("99")])
        #expect(book.level(.ask, depth: 1)?.price == px("102"))
        #expect(book.level(.ask, depth: 2) == nil)
        #expect(book.invariantViolation() == nil)
    }

    @Test func zeroSize_removesTheLevel_andAnAbsentOneIsReported() {
        let book = L2Book(capacity: 8)
        _ = book.set(.ask, price: px("10"), size: qty("1"))
        _ = book.set(.ask, price: px("11"), size: qty("1"))
        #expect(book.set(.ask, price: px("10"), size: .zero) == .applied)
        #expect(book.bestAsk?.price == px("11"))
        #expect(book.set(.ask, price: px("10"), size: .zero) == .absentLevelDeleted)
        #expect(book.set(.ask, price: px("12"), size: Quantity(rawValue: -1)) == .invalidSize)
        #expect(book.levelCount(.ask) == 1)
    }

    @Test func fullSide_keepsTheBestLevels() {
        let book = L2Book(capacity: 3)
        for p in ["10", "11", "12"] { _ = book.set(.bid, price: px(p), size: qty("1")) }
        #expect(book.set(.bid, price: px("9"), size: qty("1")) == .dropped)
        #expect(book.set(.bid, price: px("13"), size: qty("1")) == .evictedWorst)
        #expect(book.levels(.bid).map(\.price) == [px("13"), px("12"), px("11")])
        #expect(book.truncatedLevels == 2)
        // An update to a level already held never truncates.
        #expect(book.set(.bid, price: px("11"), size: qty("5")) == .applied)
        #expect(book.invariantViolation() == nil)
    }

    @Test("random updates match a dictionary book", arguments: [1, 2, 3, 8, 64])
    func random_matchesReference(capacity: Int) {
        var rng = SplitMix64(seed: 0x12_0000 + UInt64(capacity))
        let book = L2Book(capacity: capacity)
        var reference: [BookSide: [Int64: Int64]] = [.bid: [:], .ask: [:]]
        for step in 0..<(4000 * longRuns) {
            let side: BookSide = rng.next() & 1 == 0 ? .bid : .ask
            let price = Int64(rng.next() % 40) * 250_000_000 + 4_000_000_000_000
            let size = rng.next() % 3 == 0 ? 0 : Int64(rng.next() % 5 + 1) * Quantity.scale
            let result = book.set(side, price: Price(rawValue: price), size: Quantity(rawValue: size))
            // The reference keeps the best `capacity` levels the same way.
            var levels = reference[side]!
            if size == 0 { levels[price] = nil } else { levels[price] = size }
            let better: (Int64, Int64) -> Bool = side == .bid ? { $0 > $1 } : { $0 < $1 }
            let kept = levels.keys.sorted(by: better).prefix(capacity)
            if levels.count > capacity { #expect(result == .dropped || result == .evictedWorst, "step \(step)") }
            reference[side] = levels.filter { kept.contains($0.key) }
            if step % 97 == 0 || step < 50 {
                for s in [BookSide.bid, .ask] {
                    let expected = reference[s]!.keys.sorted(by: s == .bid ? { $0 > $1 } : { $0 < $1 })
                        .map { BookLevel(price: Price(rawValue: $0), size: Quantity(rawValue: reference[s]![$0]!), orders: 0) }
                    #expect(book.levels(s) == expected, "step \(step) side \(s)")
                }
                #expect(book.invariantViolation() == nil)
            }
        }
    }
}

/// A slow, obviously-correct L3 book: orders in a dictionary, each level an array in queue order.
private struct ReferenceL3 {
    var orders: [UInt64: (side: BookSide, price: Int64, size: Int64)] = [:]
    var queues: [BookSide: [Int64: [UInt64]]] = [.bid: [:], .ask: [:]]

    mutating func add(_ id: UInt64, _ side: BookSide, _ price: Int64, _ size: Int64) -> L3UpdateResult {
        if size <= 0 { return .invalidSize }
        if orders[id] != nil { return .duplicateOrder }
        orders[id] = (side, price, size)
        queues[side]![price, default: []].append(id)
        return .applied
    }

    mutating func drop(_ id: UInt64) {
        let o = orders.removeValue(forKey: id)!
        queues[o.side]![o.price]!.removeAll { $0 == id }
        if queues[o.side]![o.price]!.isEmpty { queues[o.side]![o.price] = nil }
    }

    mutating func reduce(_ id: UInt64, _ amount: Int64) -> L3UpdateResult {
        guard let o = orders[id] else { return .unknownOrder }
        if amount < o.size { orders[id]!.size -= max(amount, 0) } else { drop(id) }
        return .applied
    }

    mutating func modify(_ id: UInt64, _ price: Int64, _ size: Int64) -> L3UpdateResult {
        guard let o = orders[id] else { return .unknownOrder }
        if size <= 0 {
            drop(id)
        } else if price == o.price && size <= o.size {
            orders[id]!.size = size
        } else {
            drop(id)
            _ = add(id, o.side, price, size)
        }
        return .applied
    }

    func levels(_ side: BookSide) -> [BookLevel] {
        queues[side]!.keys.sorted(by: side == .bid ? { $0 > $1 } : { $0 < $1 }).map { p in
            BookLevel(price: Price(rawValue: p), size: Quantity(rawValue: queues[side]![p]!.reduce(0) { $0 + orders[$1]!.size }), orders: queues[side]![p]!.count)
        }
    }
}

@Suite("L3Book")
struct L3BookTests {
    @Test func add_queuesFIFO_andAggregatesTheLevel() {
        let book = L3Book(orderCapacity: 16, levelCapacity: 8)
        #expect(book.add(id: 1, side: .bid, price: px("10"), size: qty("3")) == .applied)
        #expect(book.add(id: 2, side: .bid, price: px("10"), size: qty("4")) == .applied)
        #expect(book.add(id: 3, side: .ask, price: px("11"), size: qty("1")) == .applied)
        #expect(book.bestBid == BookLevel(price: px("10"), size: qty("7"), orders: 2))
        #expect(book.queue(.bid, depth: 0).map(\.id) == [1, 2])
        #expect(book.orderCount == 3)
        #expect(book.add(id: 2, side: .ask, price: px("12"), size: qty("1")) == .duplicateOrder)
        #expect(book.add(id: 4, side: .ask, price: px("12"), size: .zero) == .invalidSize)
        #expect(book.invariantViolation() == nil)
    }

    @Test func sizeDecrease_keepsPriority_increaseAndPriceChangeLoseIt() {
        let book = L3Book(orderCapacity: 16, levelCapacity: 8)
        for id in 1...3 as ClosedRange<UInt64> { _ = book.add(id: id, side: .ask, price: px("5"), size: qty("10")) }
        #expect(book.modify(id: 1, price: px("5"), size: qty("4")) == .applied)
        #expect(book.queue(.ask, depth: 0).map(\.id) == [1, 2, 3])
        #expect(book.modify(id: 1, price: px("5"), size: qty("6")) == .applied)
        #expect(book.queue(.ask, depth: 0).map(\.id) == [2, 3, 1])
        #expect(book.modify(id: 2, price: px("4.5"), size: qty("10")) == .applied)
        #expect(book.bestAsk == BookLevel(price: px("4.5"), size: qty("10"), orders: 1))
        #expect(book.level(.ask, depth: 1) == BookLevel(price: px("5"), size: qty("16"), orders: 2))
        #expect(book.modify(id: 9, price: px("5"), size: qty("1")) == .unknownOrder)
        #expect(book.invariantViolation() == nil)
    }

    @Test func cancelExecuteDeleteReplace() {
        let book = L3Book(orderCapacity: 16, levelCapacity: 8)
        _ = book.add(id: 1, side: .bid, price: px("10"), size: qty("5"))
        _ = book.add(id: 2, side: .bid, price: px("10"), size: qty("5"))
        #expect(book.cancel(id: 1, size: qty("2")) == .applied)
        #expect(book.queue(.bid, depth: 0).map(\.size) == [qty("3"), qty("5")])
        #expect(book.execute(id: 1, size: qty("3")) == .applied)
        #expect(book.order(1) == nil)
        #expect(book.replace(id: 2, newID: 7, price: px("9.5"), size: qty("8")) == .applied)
        #expect(book.order(7) == RestingOrder(id: 7, side: .bid, price: px("9.5"), size: qty("8")))
        #expect(book.levelCount(.bid) == 1)
        #expect(book.delete(id: 7) == .applied)
        #expect(book.delete(id: 7) == .unknownOrder)
        #expect(book.cancel(id: 7, size: qty("1")) == .unknownOrder)
        #expect(book.orderCount == 0 && book.levelCount(.bid) == 0)
        #expect(book.invariantViolation() == nil)
    }

    @Test func fullPools_refuseWithoutLosingAnything() {
        let book = L3Book(orderCapacity: 2, levelCapacity: 2)
        #expect(book.add(id: 1, side: .bid, price: px("1"), size: qty("1")) == .applied)
        #expect(book.add(id: 2, side: .ask, price: px("2"), size: qty("1")) == .applied)
        #expect(book.add(id: 3, side: .ask, price: px("2"), size: qty("1")) == .orderPoolFull)
        #expect(book.modify(id: 2, price: px("3"), size: qty("1")) == .levelPoolFull)
        #expect(book.order(2)?.price == px("2"))
        #expect(book.delete(id: 1) == .applied)
        #expect(book.add(id: 3, side: .ask, price: px("2"), size: qty("1")) == .applied)
        #expect(book.invariantViolation() == nil)
        book.clear()
        #expect(book.orderCount == 0 && book.bestAsk == nil && book.invariantViolation() == nil)
    }

    @Test("random add/modify/cancel/execute/delete streams match a slow reference book", arguments: [1, 2, 3])
    func random_matchesReference(seed: UInt64) {
        var rng = SplitMix64(seed: 0x13_0000 + seed)
        let book = L3Book(orderCapacity: 4096, levelCapacity: 512)
        var reference = ReferenceL3()
        var live: [UInt64] = []
        var nextID: UInt64 = 1
        for step in 0..<(6000 * longRuns) {
            let price = Int64(rng.next() % 30) * 250_000_000 + 4_000_000_000_000
            let size = Int64(rng.next() % 6) * Quantity.scale  // 0 sometimes: boundary
            let roll = rng.next() % 10
            let pick: UInt64 = live.isEmpty || rng.next() % 20 == 0 ? nextID + 1000 : live[Int(rng.next() % UInt64(live.count))]
            let got: L3UpdateResult
            let want: L3UpdateResult
            switch roll {
            case 0..<4:
                let side: BookSide = rng.next() & 1 == 0 ? .bid : .ask
                let id = rng.next() % 25 == 0 && !live.isEmpty ? pick : nextID  // duplicates sometimes
                got = book.add(id: id, side: side, price: Price(rawValue: price), size: Quantity(rawValue: size))
                want = reference.add(id, side, price, size)
                if want == .applied { live.append(id); nextID += 1 }
            case 4..<6:
                got = book.modify(id: pick, price: Price(rawValue: price), size: Quantity(rawValue: size))
                want = reference.modify(pick, price, size)
            case 6..<8:
                got = book.cancel(id: pick, size: Quantity(rawValue: size))
                want = reference.reduce(pick, size)
            case 8:
                got = book.execute(id: pick, size: Quantity(rawValue: size * 3))
                want = reference.reduce(pick, size * 3)
            default:
                got = book.delete(id: pick)
                want = reference.orders[pick] == nil ? .unknownOrder : .applied
                if want == .applied { reference.drop(pick) }
            }
            #expect(got == want, "step \(step)")
            live.removeAll { reference.orders[$0] == nil }
            if step % 50 == 0 {
                for side in [BookSide.bid, .ask] {
                    #expect(book.levels(side) == reference.levels(side), "step \(step) \(side)")
                    for (depth, level) in reference.levels(side).enumerated() {
                        #expect(book.queue(side, depth: depth).map(\.id) == reference.queues[side]![level.price.rawValue]!, "queue at \(level.price), step \(step)")
                    }
                }
                #expect(book.orderCount == reference.orders.count)
                if let violation = book.invariantViolation() {
                    Issue.record("step \(step): \(violation)")
                    return
                }
            }
        }
    }
}
