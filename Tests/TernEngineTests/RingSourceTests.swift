import Foundation
import Testing
import TernCore
import TernEngine
import TernMarketData
import TernQueues
import TernTestSupport

/// A ring in a shared file, formatted and fed the way a C producer does it (tern_spsc_ring_format
/// and 40-byte tern_market_event_t records), read back through `RingSource`.
final class RingFile: @unchecked Sendable {
    let path: String
    let memory: UnsafeMutableRawBufferPointer
    let ring: SlotRing

    init(slotSize: Int = RingSource.recordSize, capacity: Int = 1024) throws {
        path = temporaryDirectory("ring") + "/md.ring"
        let bytes = SlotRing.byteCount(slotSize: slotSize, capacity: capacity)!
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0 && ftruncate(fd, off_t(bytes)) == 0)
        let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!
        close(fd)
        memory = UnsafeMutableRawBufferPointer(start: base, count: bytes)
        ring = try SlotRing(formatting: memory, slotSize: slotSize, capacity: capacity)
    }

    deinit {
        munmap(memory.baseAddress, memory.count)
        unlink(path)
    }

    /// One tern_market_event_t, laid out as include/tern.h declares it.
    static func record(
        _ action: UInt8, side: UInt8 = 255, flags: UInt8 = 0, instrument: UInt32 = 0, orderID: UInt64 = 0, price: Int64 = 0, size: Int64 = 0,
        time: Int64 = 1_767_225_600_000_000_000, length: Int = RingSource.recordSize
    ) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 40)
        r.withUnsafeMutableBytes { p in
            p.storeBytes(of: action, toByteOffset: 0, as: UInt8.self)
            p.storeBytes(of: side, toByteOffset: 1, as: UInt8.self)
            p.storeBytes(of: flags, toByteOffset: 2, as: UInt8.self)
            p.storeBytes(of: instrument, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: orderID, toByteOffset: 8, as: UInt64.self)
            p.storeBytes(of: price, toByteOffset: 16, as: Int64.self)
            p.storeBytes(of: size, toByteOffset: 24, as: Int64.self)
            p.storeBytes(of: time, toByteOffset: 32, as: Int64.self)
        }
        return Array(r.prefix(length))
    }

    func push(_ record: [UInt8]) {
        while !record.withUnsafeBytes({ ring.tryWrite($0) }) { sched_yield() }
    }
}

@Suite("RingSource: market events from a shared ring")
struct RingSourceTests {
    static let lot: Int64 = 1_000_000_000

    @Test("batches end at END_OF_BATCH, the stream at END_OF_STREAM, every field arrives")
    func readsBatches() throws {
        let file = try RingFile()
        file.push(RingFile.record(0, side: 0, instrument: 1, orderID: 7, price: 4_500_000_000_000, size: 5 * Self.lot, time: 11))
        file.push(RingFile.record(0, side: 1, flags: 1, instrument: 1, orderID: 8, price: 4_500_250_000_000, size: 4 * Self.lot, time: 12))
        file.push(RingFile.record(7, side: 1, flags: 1, instrument: 1, price: 4_500_250_000_000, size: Self.lot, time: 13))
        file.push(RingFile.record(RingSource.endOfStream))
        let source = try RingSource(path: file.path, bookKind: .l3, instruments: 2)
        #expect(source.name == "ring \(file.path)" && source.bookKind == .l3)
        var batch = MarketEventBatch()
        #expect(try source.next(into: &batch))
        #expect(batch.count == 2)
        let first = batch.events[0]
        #expect(first.action == .add && first.side == .bid && first.orderID == 7 && first.instrument == InstrumentID(rawValue: 1))
        #expect(first.price == Price(rawValue: 4_500_000_000_000) && first.size == Quantity(rawValue: 5 * Self.lot) && first.exchangeTime == Timestamp(rawValue: 11))
        #expect(!first.isEndOfBatch && batch.events[1].isEndOfBatch && batch.events[1].side == .ask)
        batch.removeAll()
        #expect(try source.next(into: &batch))
        #expect(batch.count == 1 && batch.events[0].action == .trade)
        batch.removeAll()
        #expect(try !source.next(into: &batch))
        #expect(try !source.next(into: &batch))  // stays ended
        #expect(source.recordsRead == 4 && source.notes.isEmpty)
    }

    @Test(
        "a bad record stops the source with a message naming it",
        arguments: [
            (RingFile.record(99, flags: 1), "record 1: action 99 is not a TERN_MARKET_* code"),
            (RingFile.record(0, side: 7, flags: 1), "record 1: side 7 is not TERN_BOOK_BID (0), TERN_BOOK_ASK (1) or TERN_BOOK_NONE (255)"),
            (RingFile.record(0, side: 0, flags: 0x81), "record 1: flags 0x81 has bits other than TERN_MARKET_END_OF_BATCH"),
            (RingFile.record(0, side: 0, flags: 1, instrument: 2), "record 1: instrument_id 2 is not in the instruments table (0..<2)"),
            (RingFile.record(0, side: 0, flags: 1, length: 24), "record 1: 24 bytes; a tern_market_event_t has 40"),
        ])
    func rejectsBadRecords(record: [UInt8], message: String) throws {
        let file = try RingFile()
        file.push(RingFile.record(5, flags: 1))  // a good clear first
        file.push(record)
        let source = try RingSource(path: file.path, bookKind: .l2, instruments: 2)
        var batch = MarketEventBatch()
        #expect(try source.next(into: &batch))
        batch.removeAll()
        let error = #expect(throws: FeedError.self) { _ = try source.next(into: &batch) }
        #expect(error?.message == message && error?.kind == .malformed && error?.offset == 1)
    }

    @Test("20,000 random records: each is an event or a precise error, never a trap")
    func fuzzRecords() throws {
        var rng = SplitMix64(seed: 0x7E57_0009)
        var events = 0, errors = 0
        for round in 0..<20 {
            let file = try RingFile(capacity: 1024)
            for _ in 0..<1000 {
                var r = RingFile.record(UInt8(truncatingIfNeeded: rng.next() % 10), side: [0, 1, 255, 3][Int(rng.next() % 4)], flags: rng.next() % 8 == 0 ? 0x40 : 1)
                for _ in 0..<Int(rng.next() % 3) { r[Int(rng.next() % 40)] = UInt8(truncatingIfNeeded: rng.next()) }
                file.push(rng.next() % 50 == 0 ? Array(r.prefix(Int(rng.next() % 40))) : r)
            }
            file.push(RingFile.record(RingSource.endOfStream))
            let source = try RingSource(path: file.path, bookKind: .l3, instruments: 3)
            var batch = MarketEventBatch()
            while true {
                batch.removeAll()
                do {
                    guard try source.next(into: &batch) else { break }
                    events += batch.count
                } catch {
                    #expect(error.message.hasPrefix("record \(error.offset): ") && error.kind == .malformed, "round \(round)")
                    errors += 1
                    break
                }
            }
        }
        #expect(events > 0 && errors > 0)
    }

    @Test("a missing file, a file that is not a ring, and slots too small for a record are refused")
    func refusesBadRings() throws {
        let missing = temporaryDirectory("ring") + "/none.ring"
        let e1 = #expect(throws: FeedError.self) { _ = try RingSource(path: missing, bookKind: .l3, instruments: 1) }
        #expect(e1?.kind == .io && e1?.message.hasPrefix("cannot open \(missing)") == true)
        let start = ContinuousClock.now
        _ = #expect(throws: FeedError.self) { _ = try RingSource(path: missing, bookKind: .l3, instruments: 1, waitNanoseconds: 30_000_000) }
        #expect(ContinuousClock.now - start >= .milliseconds(30))  // it waited for a producer

        let junk = temporaryDirectory("ring") + "/junk.ring"
        _ = FileManager.default.createFile(atPath: junk, contents: Data(repeating: 0x41, count: 4096))
        let e2 = #expect(throws: FeedError.self) { _ = try RingSource(path: junk, bookKind: .l3, instruments: 1) }
        #expect(e2?.kind == .badMagic && e2?.message.contains("magic") == true)
        let short = temporaryDirectory("ring") + "/short.ring"
        _ = FileManager.default.createFile(atPath: short, contents: Data(count: 100))
        let e3 = #expect(throws: FeedError.self) { _ = try RingSource(path: short, bookKind: .l3, instruments: 1) }
        #expect(e3?.kind == .truncated)

        let small = try RingFile(slotSize: 16)
        let e4 = #expect(throws: FeedError.self) { _ = try RingSource(path: small.path, bookKind: .l3, instruments: 1) }
        #expect(e4?.message.hasSuffix("the ring's slots hold 16 bytes; a tern_market_event_t needs 40") == true)
    }

    @Test("the source waits for a producer that starts later, and stop() ends a wait")
    func waitsAndStops() throws {
        let dir = temporaryDirectory("ring")
        let path = dir + "/late.ring"
        let producer = Thread {
            usleep(20_000)
            let bytes = SlotRing.byteCount(slotSize: 40, capacity: 64)!
            let fd = open(path + ".tmp", O_RDWR | O_CREAT, 0o600)
            _ = ftruncate(fd, off_t(bytes))
            let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!
            close(fd)
            _ = try? SlotRing(formatting: UnsafeMutableRawBufferPointer(start: base, count: bytes), slotSize: 40, capacity: 64)
            munmap(base, bytes)
            rename(path + ".tmp", path)  // appears whole
        }
        producer.start()
        let source = try RingSource(path: path, bookKind: .l3, instruments: 1, waitNanoseconds: 5_000_000_000)
        let stop = source.stop
        let stopper = Thread {
            usleep(20_000)
            stop()
        }
        stopper.start()
        var batch = MarketEventBatch()
        #expect(try !source.next(into: &batch))  // empty ring, then stop()
        #expect(source.notes.first?.contains("TERN_MARKET_END_OF_STREAM") == true)
        unlink(path)
    }

    @Test("an engine configured with [data] format = ring trades a feed produced on another thread")
    func engineRunsFromRing() throws {
        let file = try RingFile(capacity: 256)
        let dir = temporaryDirectory("ring-engine")
        let examples = repositoryRoot.appendingPathComponent("examples/engine").path
        let config = """
            [data]
            format = ring
            file = \(file.path)
            symbol = ESH4
            book = l3
            [risk]
            limits = \(examples)/limits.conf
            instruments = \(examples)/instruments.csv
            [threads]
            mode = threaded
            """
        let parsed = try HostConfiguration.parse(config, name: "ring.conf")
        #expect(parsed.format == .ring && parsed.ringBook == .l3)
        let assembly = try EngineAssembly(parsed, base: dir, journalDirectory: dir + "/journal")
        #expect((assembly.source as? RingSource)?.stop === assembly.stop)  // tern_engine_stop ends the ring's wait too
        let engine = try assembly.makeEngine(strategy: assembly.makeSampleStrategy(), gateway: assembly.makeSimulatedVenue())
        let messages = 5_000
        let producer = Thread {
            var bid: Int64 = 4_500_000_000_000, time: Int64 = 1_703_500_000_000_000_000
            for i in 0..<messages {
                let id = UInt64(2 * i + 10)
                bid += (i % 7 < 3 ? 250_000_000 : -250_000_000)
                time += 1_000_000
                file.push(RingFile.record(0, side: 0, orderID: id, price: bid, size: Int64(1 + i % 5) * Self.lot, time: time))
                file.push(RingFile.record(0, side: 1, flags: 1, orderID: id + 1, price: bid + 250_000_000, size: Int64(1 + i % 3) * Self.lot, time: time))
                if i > 4 {
                    file.push(RingFile.record(3, side: 0, orderID: id - 8, time: time))
                    file.push(RingFile.record(3, side: 1, flags: 1, orderID: id - 7, time: time))
                }
            }
            file.push(RingFile.record(RingSource.endOfStream))
        }
        producer.start()
        let report = try EngineRunner.run(source: assembly.source, engine: engine, plan: assembly.plan)
        #expect(report.feedError == nil)
        #expect(report.events == 4 * messages - 10 && report.batches == 2 * messages - 5)
        #expect(report.records == 4 * messages - 10 + 1)
        #expect(engine.books[0].level(.bid, depth: 0) != nil)
    }
}
