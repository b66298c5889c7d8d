// swift-tools-version: 6.1
//
// Tern's benchmarks: a separate package so the root package's `swift build` / `swift test` never
// compile the benchmark tool chain. Run from this folder (see docs/benchmarks.md):
//
//     swift package benchmark                      # ordo-one/benchmark: percentiles, malloc counts
//     swift run -c release price-compare           # Tern vs strtod vs Foundation.Decimal, ratios
//     ./compare-queues.sh                          # SPSCRing vs boost / moodycamel, interleaved, ratios
//     ./compare-trees.sh                           # QuantizedForest vs XGBoost, LightGBM, tl2cgen, lleaves
//     ./compare-risk.sh                            # TernRisk checks and kill switch vs NautilusTrader's RiskEngine
//
// CI gates only allocation counts: `swift package benchmark baseline check main --metric mallocCountTotal`.
import PackageDescription

let package = Package(
    name: "tern-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `name:` pins the identity; otherwise it would be the clone's folder name.
        .package(name: "tern", path: ".."),
        // Naming the trait replaces the defaults (MallocInterposer + RuntimeInterposer); the runtime
        // interposer needs a package that does not exist here.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "TernCore", package: "tern"), .product(name: "TernRisk", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "BenchSupport"
        ),
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "TernCore", package: "tern"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "QueueBenchmarks",
            dependencies: [
                .product(name: "TernQueues", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "QueueBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RiskBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "TernCore", package: "tern"),
                .product(name: "TernRisk", package: "tern"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "RiskBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "price-compare",
            dependencies: [
                "BenchSupport",
                .product(name: "TernCore", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/PriceCompare"  // not directly under Benchmarks/: the plugin would run it as a benchmark
        ),
        .executableTarget(
            name: "queue-compare",
            dependencies: [
                .product(name: "TernQueues", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/QueueCompare"
        ),
        .executableTarget(
            name: "tree-compare",
            dependencies: [
                "BenchSupport",
                .product(name: "TernInference", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/TreeCompare"
        ),
        .executableTarget(
            name: "abi-compare",
            dependencies: [
                "BenchSupport",
                .product(name: "CTern", package: "tern"),
                .product(name: "TernInference", package: "tern"),
                .product(name: "TernMarketData", package: "tern"),
                .product(name: "TernRisk", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/ABICompare"
        ),
        .executableTarget(
            name: "risk-compare",
            dependencies: [
                "BenchSupport",
                .product(name: "TernRisk", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/RiskCompare"
        ),
        .executableTarget(
            name: "journal-compare",
            dependencies: [
                "BenchSupport",
                .product(name: "TernJournal", package: "tern"),
                .product(name: "TernRisk", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/JournalCompare"
        ),
        .executableTarget(
            name: "book-compare",
            dependencies: [
                "BenchSupport",
                .product(name: "TernMarketData", package: "tern"),
                .product(name: "TernSystem", package: "tern"),
            ],
            path: "Tools/BookCompare",
            exclude: ["anchors.py"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
