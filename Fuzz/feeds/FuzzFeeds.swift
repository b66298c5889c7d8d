// libFuzzer target for TernMarketData's decoders: outside bytes from exchanges and vendors.
// Compiled with Sources/TernCore and Sources/TernMarketData into one module by scripts/fuzz.sh.
// The first byte picks the decoder (0 DBN, 1 Binance, 2 ITCH, 3 Bybit, 4 the container reader);
// the rest is its input. Properties, not just "no crash":
//
// - a replay returns a summary or a FeedError whose offset lies inside the input;
// - the books the decoders feed keep their invariants (L3: queues, counts, id table and pools
//   agree; L2: levels sorted, sizes positive) whatever the input did to them;
// - the container reader returns bytes or a FeedError, never more than its limit.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeeds(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = data[0] % 5
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if selector == 4 {
        do {
            let out = try FeedFile.decompress(bytes, limit: 1 << 22)
            if out.count > 1 << 22 { fatalError("the container reader returned \(out.count) bytes, above its limit") }
        } catch {
            if error.offset < 0 || error.offset > bytes.count + (1 << 22) { fatalError("offset \(error.offset) for \(bytes.count) bytes: \(error)") }
        }
        return 0
    }
    let format = [FeedFormat.dbn, .binance, .itch, .bybit][Int(selector)]
    do {
        _ = try FeedReplay.run(format: format, bytes: bytes)
    } catch {
        if error.offset < 0 || error.offset > bytes.count { fatalError("offset \(error.offset) outside \(bytes.count) bytes: \(error)") }
    }
    // The books directly, with invariant checks after the decodable prefix.
    bytes.withUnsafeBytes { raw in
        switch format {
        case .dbn:
            guard var decoder = try? DBNDecoder(bytes: raw) else { return }
            let book = L3Book(orderCapacity: 256, levelCapacity: 32)
            let top = L2Book(capacity: 1)
            while let record = try? decoder.next() {
                if case .mbo(let m) = record { _ = DBNBook.apply(m, to: book) }
                if case .mbp1(let m) = record { DBNBook.apply(m, to: top) }
            }
            if let v = book.invariantViolation() ?? top.invariantViolation() { fatalError(v) }
        case .itch:
            var decoder = ITCHDecoder(bytes: raw)
            let books = ITCHBooks(orderCapacity: 256, levelCapacity: 32)
            while let message = try? decoder.next() { books.apply(message, decoder: decoder) }
            for book in books.books.values { if let v = book.invariantViolation() { fatalError(v) } }
        case .binance:
            var decoder = BinanceDecoder()
            let book = BinanceDepthBook(levelCapacity: 16, pendingLevelCapacity: 64)
            try? FeedReplay.forEachLine(raw) { (line, offset) throws(FeedError) in
                switch try decoder.decode(line: line, offset: offset) {
                case .depthUpdate(let u): book.apply(u, bids: decoder.bids, asks: decoder.asks)
                case .snapshot(let id): book.applySnapshot(lastUpdateID: id, bids: decoder.bids, asks: decoder.asks)
                default: break
                }
            }
            if let v = book.book.invariantViolation() { fatalError(v) }
        case .bybit:
            var decoder = BybitDecoder()
            let book = BybitDepthBook(levelCapacity: 16)
            try? FeedReplay.forEachLine(raw) { (line, offset) throws(FeedError) in
                book.apply(try decoder.decode(line: line, offset: offset), bids: decoder.bids, asks: decoder.asks)
            }
            if let v = book.book.invariantViolation() { fatalError(v) }
        }
    }
    return 0
}
