// swift-tools-version:6.0
import PackageDescription

/// CometTicker: a live stock-quote dashboard with its own Comet push server.
///
/// The package graph enforces the C boundary: only `Postgres` imports `CLibPQ`,
/// only `Comet` imports `CLibEvent`; everything else is ordinary Swift.
let package = Package(
    name: "CometTicker",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ticker", targets: ["ticker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibEvent", pkgConfig: "libevent_pthreads", providers: [.apt(["libevent-dev"])]),

        .target(name: "Quotes"),
        // Starting child processes with a clean signal state; CProcess wraps prctl.
        .target(name: "CProcess"),
        .target(name: "Spawn", dependencies: ["CProcess"]),
        .target(name: "Postgres", dependencies: [
            "CLibPQ", "Quotes", "Spawn",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Ingest", dependencies: [
            "Quotes", "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Comet", dependencies: [
            "CLibEvent", "Quotes", "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ticker", dependencies: [
            "Quotes", "Postgres", "Ingest", "Comet", "Spawn",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "TickerTestSupport", dependencies: [
            "Quotes", "Postgres", "Comet", "Spawn",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "QuotesTests", dependencies: ["Quotes"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TickerTestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Postgres", "TickerTestSupport"]),
        .testTarget(name: "CometTests", dependencies: ["Comet", "Ingest", "Postgres", "TickerTestSupport"]),
        .testTarget(name: "CommandTests", dependencies: ["Postgres", "Spawn", "TickerTestSupport"]),
        .testTarget(name: "BrowserTests", dependencies: ["Comet", "Postgres", "TickerTestSupport"]),
    ]
)
