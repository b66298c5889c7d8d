import Foundation
import TernCore
import Testing

@Suite("Instruments, identities and events")
struct InstrumentTests {
    func es() throws -> InstrumentSpec {
        try InstrumentSpec(
            id: InstrumentID(rawValue: 7), symbol: Symbol("ESH4"), tickSize: .parse("0.25"), lotSize: .parse("1"),
            multiplier: .parse("50"), maxQuantity: .parse("500"), currency: .usd)
    }

    @Test("a valid spec answers tick, lot, sign and notional questions exactly")
    func spec_valid() throws {
        let spec = try es()
        #expect(spec.minQuantity == Quantity(1), "defaults to one lot")
        let (onTick, offTick, offLot) = (
            try Price.parse("5000.25"), try Price.parse("5000.10"), try Quantity.parse("1.5")
        )
        #expect(spec.isOnTick(onTick) && !spec.isOnTick(offTick))
        #expect(spec.isOnLot(Quantity(3)) && !spec.isOnLot(offLot))
        #expect(!spec.isPriceSignValid(.zero) && spec.isPriceSignValid(Price(1)))
        #expect(try spec.roundToTick(.parse("5000.10"), .up).description == "5000.25")
        #expect(try spec.roundToLot(.parse("2.7"), .towardZero) == Quantity(2))
        #expect(
            try spec.notional(price: .parse("5000.25"), quantity: Quantity(3), rounding: .up).description == "750037.5")
    }

    @Test(
        "invalid specs are refused with the field named",
        arguments: [
            ("0", "1", "50", "1", "500", "tickSize must be positive, got 0"),
            ("0.25", "-1", "50", "1", "500", "lotSize must be positive, got -1"),
            ("0.25", "1", "0", "1", "500", "multiplier must be positive, got 0"),
            ("0.25", "1", "50", "0", "500", "minQuantity must be positive, got 0"),
            ("0.25", "1", "50", "10", "5", "minQuantity 10 is above maxQuantity 5"),
            ("0.25", "2", "50", "3", "500", "minQuantity 3 is not a multiple of the lot size 2"),
            ("0.25", "2", "50", "2", "501", "maxQuantity 501 is not a multiple of the lot size 2"),
        ] as [(String, String, String, String, String, String)])
    func spec_invalid(tick: String, lot: String, multiplier: String, min: String, max: String, message: String) throws {
        #expect {
            _ = try InstrumentSpec(
                id: InstrumentID(rawValue: 1), symbol: Symbol("X"), tickSize: .parse(tick), lotSize: .parse(lot),
                multiplier: .parse(multiplier), minQuantity: .parse(min), maxQuantity: .parse(max), currency: .usd)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test("symbols: 1 to 32 bytes of printable ASCII, inline")
    func symbols() throws {
        #expect(MemoryLayout<Symbol>.size == 32)
        #expect(try Symbol("BTCUSDT").description == "BTCUSDT")
        #expect(try Symbol("AAPL  240119C00190000").description == "AAPL  240119C00190000")
        #expect(try Symbol(String(repeating: "X", count: 32)).utf8.count == 32)
        for bad in ["", " ES", "ES ", String(repeating: "X", count: 33), "ES\u{0}", "日経"] {
            #expect(throws: InstrumentSpecError.invalidSymbol(bad)) { try Symbol(bad) }
        }
        #expect(try Symbol("ESH4") < Symbol("ESM4"))
        #expect(try Symbol("ES") < Symbol("ESH4"))
    }

    @Test("currencies: codes and minor units")
    func currencies() throws {
        #expect(Currency.usd.code == "USD" && Currency.usd.minorUnitExponent == 2)
        #expect(Currency.jpy.minorUnitExponent == 0)
        #expect(try Currency(code: "FDUSD", minorUnitExponent: 8).code == "FDUSD")
        #expect(throws: InstrumentSpecError.invalidCurrencyCode("usd")) {
            try Currency(code: "usd", minorUnitExponent: 2)
        }
        #expect(throws: InstrumentSpecError.invalidCurrencyCode("TOOLONGCODE")) {
            try Currency(code: "TOOLONGCODE", minorUnitExponent: 2)
        }
        #expect(throws: InstrumentSpecError.invalidMinorUnitExponent(19)) {
            try Currency(code: "X", minorUnitExponent: 19)
        }
    }

    @Test("value types are BitwiseCopyable and small")
    func layouts() {
        func bitwise<T: BitwiseCopyable>(_: T.Type) -> Int { MemoryLayout<T>.size }
        #expect(bitwise(Price.self) == 8 && bitwise(Quantity.self) == 8 && bitwise(Money.self) == 16)
        #expect(MemoryLayout<Money>.alignment == 16)
        #expect(bitwise(Timestamp.self) == 8 && bitwise(InstrumentID.self) == 4 && bitwise(OrderID.self) == 8)
        #expect(bitwise(InstrumentSpec.self) <= 112)
        #expect(bitwise(NewOrder.self) <= 80)
        #expect(bitwise(Fill.self) <= 80)
        #expect(bitwise(OrderEvent.self) <= 88)
        #expect(bitwise(FixedPointError.self) <= 16)
    }

    @Test("order events expose their common fields")
    func events() {
        let t = Timestamp(nanosecondsSinceEpoch: 42)
        let fill = Fill(
            clientOrderID: .init(rawValue: 9), orderID: .init(rawValue: 1), executionID: .init(rawValue: 2),
            instrumentID: .init(rawValue: 3), side: .sell, liquidity: .maker, price: Price(5), quantity: Quantity(1),
            leavesQuantity: .zero, timestamp: t)
        let events: [OrderEvent] = [
            .filled(fill),
            .rejected(
                .init(
                    clientOrderID: .init(rawValue: 9), instrumentID: .init(rawValue: 3),
                    reason: .priceNotOnTick, origin: .risk, timestamp: t)),
        ]
        for event in events {
            #expect(event.clientOrderID.rawValue == 9 && event.instrumentID.rawValue == 3 && event.timestamp == t)
        }
        #expect(
            OrderType.stopLimit.hasLimitPrice && OrderType.stopLimit.hasStopPrice && !OrderType.market.hasLimitPrice)
        #expect(Side.buy.opposite == .sell && Side.sell.sign == -1)
    }

    @Test("reject reasons have stable codes and unique names")
    func rejectReasons() {
        #expect(RejectReason.priceNotOnTick.rawValue == 104)
        #expect(RejectReason.killSwitchHalted.description == "KILL_SWITCH_HALTED (301)")
        #expect(RejectReason(rawValue: 4242).name == "REASON_4242")
        #expect(Set(RejectReason.known.map(\.name)).count == RejectReason.known.count)
        #expect(RejectReason.known.allSatisfy { !$0.name.hasPrefix("REASON_") })
    }

    @Test(
        "timestamps render as ISO 8601 UTC with nanoseconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000000000Z"),
            (1_723_161_254_087_896_568, "2024-08-08T23:54:14.087896568Z"),
            (-1, "1969-12-31T23:59:59.999999999Z"),
            (951_782_400_000_000_000, "2000-02-29T00:00:00.000000000Z"),
        ])
    func timestamps(raw: Int64, text: String) {
        #expect(Timestamp(rawValue: raw).description == text)
    }

    @Test("Codable: decimal strings and whole numbers in, canonical strings out, floats refused")
    func codable() throws {
        struct Config: Codable, Equatable { var tick: Price; var limit: Money }
        let decoded = try JSONDecoder().decode(Config.self, from: Data(#"{"tick":"0.25","limit":1000000}"#.utf8))
        #expect(decoded == Config(tick: try .parse("0.25"), limit: Money(1_000_000)))
        let encoded = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
        #expect(encoded.contains(#""tick":"0.25""#) && encoded.contains(#""limit":"1000000""#))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Config.self, from: Data(#"{"tick":0.25,"limit":"1"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Config.self, from: Data(#"{"tick":"0.25 ","limit":"1"}"#.utf8))
        }
    }
}
