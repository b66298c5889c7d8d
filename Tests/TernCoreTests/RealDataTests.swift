import Foundation
import TernCore
import TernTestSupport
import Testing

/// Every price and quantity string in the real Binance captures (../shared/data) must parse, agree
/// with Foundation.Decimal, and format back to the same value.
@Suite("Real market data")
struct RealDataTests {
    @Test(
        "every Binance price and quantity string parses exactly",
        arguments: [
            "binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz",
            "binance-btcusdt-20240808/usdm_btcusdt_20240808.jsonl.gz",
        ])
    func binanceDecimals(file: String) throws {
        guard let folder = sharedDataFolder() else {
            Issue.record("../shared/data is missing: real-data tests need it beside the project")
            return
        }
        let text = String(decoding: try readFixture(folder.appendingPathComponent(file)), as: UTF8.self)
        // Decimal strings in the capture: "61737.63000000", "0.02000000", "-0.00100".
        let regex = try NSRegularExpression(pattern: #""(-?[0-9]+\.[0-9]+)""#)
        var count = 0
        var distinct = Set<String>()
        let ns = text as NSString
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let s = ns.substring(with: match.range(at: 1))
            count += 1
            guard distinct.insert(s).inserted else { continue }
            let price = try Price.parse(s)
            #expect(decimal(raw: price.rawValue) == Decimal(string: s)!, "\(s)")
            #expect(try Price.parse(price.description) == price)
        }
        #expect(count > 100_000, "expected the full capture, saw \(count) decimals")
    }
}
