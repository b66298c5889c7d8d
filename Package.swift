// swift-tools-version: 6.2
//
// Tern: an embeddable low-latency trading engine library.
//
// Module map (imports point down only; see docs/architecture.md):
//
//     tern (executable) ─► Tern (umbrella) ─► TernQueues ─► TernSystem ─► CNuma, CTernShims
//                                         │                           └─► TernCore
//                                         ├─► TernInference (standard library + libm)
//                                         ├─► TernMarketData ─► TernCore, CZstd, CZlib
//                                         └─► TernCore   (standard library only)
//
// Modules arrive with their first real code; the C ABI issue adds TernABI. TernEngine sits above every library module;
// TernAdmin (the operator's HTTP interface) above TernEngine. Every public module is also a library
// product of the same name so another package can depend on, say, `TernCore` alone.
import PackageDescription

/// Swift settings shared by the library modules.
///
/// - `TERN_INTERNAL_CHECKS` (off by default) turns on `checkInvariants()` bodies. It costs time on
///   every mutation and invalidates every documented performance number; tests and the fuzzers turn
///   it on with `-Xswiftc -DTERN_INTERNAL_CHECKS`.
let librarySettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "tern",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Tern", targets: ["Tern"]),
        .library(name: "TernCore", targets: ["TernCore"]),
        .library(name: "TernSystem", targets: ["TernSystem"]),
        .library(name: "TernQueues", targets: ["TernQueues"]),
        .library(name: "TernInference", targets: ["TernInference"]),
        .library(name: "TernRisk", targets: ["TernRisk"]),
        .library(name: "TernJournal", targets: ["TernJournal"]),
        .library(name: "TernMarketData", targets: ["TernMarketData"]),
        .library(name: "TernEngine", targets: ["TernEngine"]),
        .library(name: "TernAdmin", targets: ["TernAdmin"]),
        .executable(name: "tern", targets: ["tern"]),
        // The C ABI (include/tern.h). SwiftPM cannot name a library and the executable `tern` alike,
        // so these build libtern_shared.so (SONAME libtern.so.1) and libtern_static.a;
        // scripts/build-c-libs.sh installs them as libtern.so and libtern.a.
        .library(name: "tern_shared", type: .dynamic, targets: ["TernABI"]),
        .library(name: "tern_static", type: .static, targets: ["TernABI"]),
        // The header alone as a Clang module, for Swift code that calls libtern.so through dlopen
        // (Benchmarks' abi-compare).
        .library(name: "CTern", targets: ["CTern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // MARK: Core: value types; the standard library only (no Foundation, no C, no OS).
        .target(name: "TernCore", swiftSettings: librarySettings),

        // MARK: System: clocks, TSC, pause, CPU pinning, NUMA, aligned pre-faulted memory, threads.
        .systemLibrary(
            name: "CNuma",
            pkgConfig: "numa",
            providers: [.apt(["libnuma-dev"])]
        ),
        .target(name: "CTernShims"),
        .target(
            name: "TernSystem",
            dependencies: ["CNuma", "CTernShims", "TernCore"],
            swiftSettings: librarySettings
        ),

        // MARK: Queues: SPSC, MPSC, broadcast and byte rings between pinned threads.
        .target(name: "TernQueues", dependencies: ["TernSystem"], swiftSettings: librarySettings),

        // MARK: Inference: tree-ensemble loaders (XGBoost, LightGBM, CatBoost), the uint8-quantized
        // compiler and its evaluators. The standard library, and one C kernel with AVX-512
        // intrinsics that Swift cannot spell (CTernTrees, chosen at run time).
        .target(name: "CTernTrees"),
        .target(name: "TernInference", dependencies: ["CTernTrees"], swiftSettings: librarySettings),

        // MARK: Risk: pre-trade checks, exposure state, rate limits and the kill switch. TernCore and
        // the standard library's Synchronization only.
        .target(name: "TernRisk", dependencies: ["TernCore", "CTernShims"], swiftSettings: librarySettings),

        // MARK: Journal: the io_uring event journal (liburing from Debian), its reader, recovery and replay.
        .systemLibrary(name: "CLiburing", pkgConfig: "liburing", providers: [.apt(["liburing-dev"])]),
        .target(
            name: "TernJournal", dependencies: ["CLiburing", "CTernShims", "TernCore", "TernQueues", "TernSystem", "TernRisk"],
            swiftSettings: librarySettings),

        // MARK: Market data: L2 and L3 books and the feed decoders (Databento DBN through Debian's libzstd,
        // Binance and Bybit JSON captures, NASDAQ ITCH 5.0; gzip and zip through zlib).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "TernMarketData", dependencies: ["TernCore", "CZstd", "CZlib"], swiftSettings: librarySettings),

        // MARK: Engine: the event loop and wiring (strategy, market-data source and gateway protocols,
        // order manager, simulated venue, threads, tick-to-order latency), and the sample strategy.
        .target(
            name: "TernEngine",
            dependencies: [
                "TernCore", "TernSystem", "TernQueues", "TernInference", "TernRisk", "TernJournal", "TernMarketData",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: librarySettings),

        // MARK: Admin: the operator's loopback HTTP interface over an engine's `EngineControl`:
        // status, limits, kill-switch trip/reset/reducing (token, journaled), Prometheus metrics.
        // Uses Foundation (JSON) and FlyingFox (HTTP); the library modules below it do not.
        .target(
            name: "TernAdmin",
            dependencies: [
                "TernCore", "TernSystem", "TernQueues", "TernRisk", "TernEngine",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            swiftSettings: librarySettings),

        // MARK: C ABI: include/tern.h (the CTern module imports that very file) implemented by
        // TernABI with @c @implementation, so a signature that drifts from the header fails the build.
        // The version script exports the header's tern_* functions only.
        .target(name: "CTern"),
        .target(
            name: "TernABI",
            dependencies: ["CTern", "CTernShims", "TernCore", "TernSystem", "TernQueues", "TernInference", "TernRisk", "TernJournal", "TernMarketData", "TernEngine"],
            swiftSettings: librarySettings,
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/exports.map", "-Xlinker", "-soname=libtern.so.1"])]),
        // A C program SwiftPM compiles against the header and links with TernABI: the header's
        // struct sizes and a smoke run of every area (scripts/check-c-abi.sh runs it).
        .executableTarget(name: "tern-header-check", dependencies: ["CTern", "TernABI"]),

        // MARK: Umbrella and host.
        .target(
            name: "Tern", dependencies: ["TernCore", "TernSystem", "TernQueues", "TernInference", "TernRisk", "TernJournal", "TernMarketData", "TernEngine"], swiftSettings: librarySettings),
        .executableTarget(
            name: "tern",
            dependencies: [
                "Tern", "TernAdmin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Hot-path probes: one `@inline(never)` function per named hot path, called the way a
        // client module calls it (so generic code is specialized across the module boundary exactly
        // as in a user's binary). scripts/check-hot-paths.sh disassembles these. Not a product.
        .target(
            name: "HotPathProbes", dependencies: ["TernCore", "TernQueues", "TernInference", "TernRisk", "TernJournal", "TernMarketData"], swiftSettings: librarySettings),

        // MARK: Tests. TernTestSupport holds helpers every test target shares (not a product).
        .target(name: "TernTestSupport", path: "Tests/TernTestSupport"),
        .testTarget(name: "TernCoreTests", dependencies: ["TernCore", "TernTestSupport"]),
        .testTarget(name: "TernSystemTests", dependencies: ["TernSystem", "TernCore"]),
        .testTarget(name: "TernQueuesTests", dependencies: ["TernQueues", "TernSystem", "TernTestSupport"]),
        .testTarget(name: "TernInferenceTests", dependencies: ["TernInference", "TernTestSupport"]),
        .testTarget(name: "TernRiskTests", dependencies: ["TernRisk", "TernCore", "TernTestSupport"]),
        .testTarget(name: "TernMarketDataTests", dependencies: ["TernMarketData", "TernCore", "TernTestSupport"]),
        .testTarget(
            name: "TernEngineTests",
            dependencies: ["TernEngine", "TernAdmin", "TernCore", "TernRisk", "TernJournal", "TernMarketData", "TernQueues", "TernTestSupport"]),
        .testTarget(name: "TernJournalTests", dependencies: ["TernJournal", "TernCore", "TernRisk", "TernTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
