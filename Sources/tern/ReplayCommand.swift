import ArgumentParser
import Tern

/// `tern replay`: a feed file through the decoders into books, and what the books look like at the end.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a market-data file into order books and print the books at the end.",
        discussion: """
            Reads Databento DBN (MBO into L3 books, MBP-1 into depth-1 books, trades), Binance capture lines \
            (depth diffs synchronized with the REST snapshot by Binance's procedure), NASDAQ ITCH 5.0 (one L3 \
            book per stock locate) and Bybit orderbook lines. zstd, gzip and zip files are decompressed first. \
            Prints the records by type, each instrument's best bid and offer with size, level counts, resting \
            orders (L3), the top levels, gaps and resyncs, and the decode and replay rates. Prices and sizes \
            are exact decimals. Exit status 65 if the file is malformed (the error names the byte offset).
            """)

    @Option(help: "The feed format: \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String
    @Option(help: "The file (plain, .zst, .gz or .zip).")
    var file: String
    @Option(help: "Build and print only this instrument's book (all records are still read).")
    var instrument: String? = nil
    @Option(help: "Stop after exactly N records of the file.")
    var stopAfter: Int? = nil
    @Option(help: "Levels per side to print.")
    var depth: Int = 5
    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard FeedFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format \(format); use one of \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let stopAfter, stopAfter < 0 { throw ValidationError("--stop-after must be 0 or more") }
        guard depth >= 0 else { throw ValidationError("--depth must be 0 or more") }
    }

    mutating func run() throws {
        let format = FeedFormat(rawValue: format)!
        let summary: ReplaySummary
        do {
            let bytes = try FeedFile.read(path: file)
            summary = try FeedReplay.run(format: format, bytes: bytes, instrument: instrument, stopAfter: stopAfter, depth: depth)
        } catch {
            printError("tern replay: \(file): \(error)")
            throw ExitCode(65)
        }
        print(json ? Self.json(summary, file: file) : Self.text(summary, file: file))
    }

    static func text(_ s: ReplaySummary, file: String) -> String {
        var out: [String] = []
        out.append("\(file) (\(s.format.rawValue)): \(s.records) records")
        let types = s.recordsByType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        out.append("  by type: " + types.joined(separator: ", "))
        out.append("  gaps \(s.gaps), resyncs \(s.resyncs), unknown order references \(s.unknownOrderReferences), refused adds \(s.refusedAdds)")
        out.append(
            "  decode \(rate(s.decodeEventsPerSecond)) records/s (\(ms(s.decodeSeconds))); decode and apply \(rate(s.eventsPerSecond)) records/s (\(ms(s.replaySeconds)))"
        )
        for i in s.instruments {
            out.append("")
            var head = "\(i.symbol) [\(i.bookType)]"
            if let state = i.state { head += " \(state)" }
            if i.crossed { head += " CROSSED" }
            out.append(head)
            func side(_ level: BookLevel?) -> String {
                guard let level else { return "none" }
                return "\(level.size) @ \(level.price)"
            }
            out.append("  best bid \(side(i.bestBid)), best ask \(side(i.bestAsk))")
            var counts = "  levels: \(i.bidLevels) bid, \(i.askLevels) ask"
            if let orders = i.orders { counts += "; \(orders) resting orders" }
            out.append(counts)
            let rows = max(i.topBids.count, i.topAsks.count)
            if rows > 0 {
                let orderColumn = i.orderCountsKnown
                out.append(pad("bid size", 16) + pad("bid", 14) + (orderColumn ? pad("orders", 7) : "") + " | " + pad("ask", 14) + pad("ask size", 16) + (orderColumn ? "orders" : ""))
                for r in 0..<rows {
                    let b = r < i.topBids.count ? i.topBids[r] : nil
                    let a = r < i.topAsks.count ? i.topAsks[r] : nil
                    var line = pad(b.map { $0.size.description } ?? "", 16) + pad(b.map { $0.price.description } ?? "", 14)
                    if orderColumn { line += pad(b.map { String($0.orders) } ?? "", 7) }
                    line += " | " + pad(a.map { $0.price.description } ?? "", 14) + pad(a.map { $0.size.description } ?? "", 16)
                    if orderColumn { line += a.map { String($0.orders) } ?? "" }
                    out.append("  " + line)
                }
            }
        }
        if !s.notes.isEmpty {
            out.append("")
            out.append("notes:")
            for n in s.notes { out.append("  \(n)") }
        }
        return out.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6 ? "\((perSecond / 1e5).rounded() / 10) M" : "\((perSecond / 100).rounded() / 10) k"
    }

    static func ms(_ seconds: Double) -> String { "\((seconds * 1e4).rounded() / 10) ms" }

    static func json(_ s: ReplaySummary, file: String) -> String {
        func level(_ l: BookLevel?) -> String {
            guard let l else { return "null" }
            return "{\"price\": \(quote(l.price.description)), \"size\": \(quote(l.size.description))}"
        }
        func levels(_ list: [BookLevel], _ counts: Bool) -> String {
            "[" + list.map { "{\"price\": \(quote($0.price.description)), \"size\": \(quote($0.size.description)), \"orders\": \(counts ? String($0.orders) : "null")}" }
                .joined(separator: ", ") + "]"
        }
        var lines: [String] = []
        lines.append("  \"file\": \(quote(file))")
        lines.append("  \"format\": \(quote(s.format.rawValue))")
        lines.append("  \"records\": \(s.records)")
        let types = s.recordsByType.sorted { $0.key < $1.key }.map { "\(quote($0.key)): \($0.value)" }
        lines.append("  \"records_by_type\": {" + types.joined(separator: ", ") + "}")
        let instruments = s.instruments.map { i in
            var fields = [
                "\"symbol\": \(quote(i.symbol))", "\"book\": \(quote(i.bookType))",
                "\"best_bid\": \(level(i.bestBid))", "\"best_ask\": \(level(i.bestAsk))",
                "\"bid_levels\": \(i.bidLevels)", "\"ask_levels\": \(i.askLevels)",
            ]
            if let orders = i.orders { fields.append("\"orders\": \(orders)") }
            if let state = i.state { fields.append("\"state\": \(quote(state))") }
            fields.append("\"crossed\": \(i.crossed)")
            fields.append("\"top\": {\"bids\": \(levels(i.topBids, i.orderCountsKnown)), \"asks\": \(levels(i.topAsks, i.orderCountsKnown))}")
            return "    {" + fields.joined(separator: ", ") + "}"
        }
        lines.append("  \"instruments\": [\n" + instruments.joined(separator: ",\n") + (instruments.isEmpty ? "]" : "\n  ]"))
        lines.append("  \"gaps\": \(s.gaps)")
        lines.append("  \"resyncs\": \(s.resyncs)")
        lines.append("  \"unknown_order_references\": \(s.unknownOrderReferences)")
        lines.append("  \"refused_adds\": \(s.refusedAdds)")
        lines.append("  \"events_per_second\": \(Int(s.eventsPerSecond.rounded()))")
        lines.append("  \"decode_events_per_second\": \(Int(s.decodeEventsPerSecond.rounded()))")
        lines.append("  \"notes\": [" + s.notes.map(quote).joined(separator: ", ") + "]")
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }
}
