import BenchSupport
// Price parse and format, and notional, against strtod, snprintf and Foundation.Decimal in the same
// run (ordo-one/benchmark). Each benchmark iteration handles 1,000 texts of the real corpus
// (scalingFactor .kilo), so the reported time is per operation in nanoseconds.
//
// Names say what is measured and with what: <operation>_<implementation>.
// CI runs these with `--metric mallocCountTotal` only; wall-clock numbers are for quiet machines.
import Benchmark
import Foundation
import TernCore

#if canImport(Glibc)
    import Glibc
#endif

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            .mallocCountTotal: .init(absolute: [.p50: 0, .p99: 0])
        ]
    )

    let corpus = Corpus.load()
    let count = corpus.spans.count
    let prices = corpus.prices

    Benchmark("priceParse_tern") { benchmark in
        corpus.bytes.withUnsafeBytes { all in
            var i = 0
            var sum: Int64 = 0
            for _ in benchmark.scaledIterations {
                let (offset, length) = corpus.spans[i]
                let text = UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])
                sum &+= (try? Price.parse(utf8: text).rawValue) ?? 0
                i = i + 1 == count ? 0 : i + 1
            }
            blackHole(sum)
        }
    }

    Benchmark("priceParse_strtod") { benchmark in
        corpus.bytes.withUnsafeBytes { all in
            let base = all.baseAddress!.assumingMemoryBound(to: CChar.self)
            var i = 0
            var sum = 0.0
            for _ in benchmark.scaledIterations {
                sum += strtod(base + corpus.spans[i].offset, nil)
                i = i + 1 == count ? 0 : i + 1
            }
            blackHole(sum)
        }
    }

    Benchmark("priceParse_foundationDecimal") { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(Decimal(string: corpus.texts[i]))
            i = i + 1 == count ? 0 : i + 1
        }
    }

    Benchmark("priceFormat_tern_writeDecimal") { benchmark in
        withUnsafeTemporaryAllocation(byteCount: Price.maxDecimalLength, alignment: 8) { buffer in
            var i = 0
            var total = 0
            for _ in benchmark.scaledIterations {
                total &+= prices[i].writeDecimal(into: buffer) ?? 0
                i = i + 1 == count ? 0 : i + 1
            }
            blackHole(total)
        }
    }

    Benchmark("priceFormat_tern_description") { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(prices[i].description)
            i = i + 1 == count ? 0 : i + 1
        }
    }

    Benchmark("priceFormat_snprintf") { benchmark in
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            var i = 0
            var total: Int32 = 0
            for _ in benchmark.scaledIterations {
                total &+= withVaList([Double(prices[i])]) { vsnprintf(buffer.baseAddress!, 64, "%.9f", $0) }
                i = i + 1 == count ? 0 : i + 1
            }
            blackHole(total)
        }
    }

    Benchmark("notional_tern") { benchmark in
        let multiplier = ContractMultiplier(rawValue: 100_000_000)  // 0.1, the fractional path
        var i = 0
        var sum: Int128 = 0
        for _ in benchmark.scaledIterations {
            let price = prices[i]
            let quantity = Quantity(rawValue: prices[count - 1 - i].rawValue)
            sum &+=
                (try? Money.notional(
                    price: price, quantity: quantity, multiplier: multiplier,
                    rounding: .awayFromZero
                ).rawValue) ?? 0
            i = i + 1 == count ? 0 : i + 1
        }
        blackHole(sum)
    }
}
