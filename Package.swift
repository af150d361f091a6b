// swift-tools-version:6.0
import PackageDescription

/// CometTicker: a live stock-quote dashboard with its own Comet push server.
///
/// The package graph enforces the C boundary: only `Postgres` imports `CLibPQ`,
/// only `EventHTTP` imports `CLibEvent` and `CWslay`, only `Imaging` imports `CLibGD`;
/// everything else is ordinary Swift.
/// `Comet` is the fan-out core and its transports, on top of `EventHTTP`;
/// `LoadGenerator` is the load generator of `ticker bench`; `Platform` holds the few
/// system helpers (socket addresses, back-off, the monotonic clock, spawning
/// child processes with a clean signal state) they share.
let package = Package(
    name: "CometTicker",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ticker", targets: ["ticker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibEvent", pkgConfig: "libevent_pthreads", providers: [.apt(["libevent-dev"])]),
        // Debian's libwslay-dev ships no .pc file: the module map links -lwslay.
        .systemLibrary(name: "CWslay", providers: [.apt(["libwslay-dev"])]),
        // No pkgConfig: gdlib.pc adds -DAVIF_DLL, which SwiftPM drops with a warning on every
        // build; gd.h is in /usr/include and the module map links -lgd.
        .systemLibrary(name: "CLibGD", providers: [.apt(["libgd-dev"])]),

        // prctl and pipe2, which Swift cannot call directly (for Platform's Spawn).
        .target(name: "CProcess"),
        .target(name: "Platform", dependencies: ["CProcess"]),
        .target(name: "Quotes"),
        .target(name: "Imaging", dependencies: ["CLibGD", "Quotes"]),
        .target(name: "Postgres", dependencies: [
            "CLibPQ", "Quotes", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Ingest", dependencies: [
            "Quotes", "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EventHTTP", dependencies: [
            "CLibEvent", "CWslay", "Platform",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Comet", dependencies: [
            "EventHTTP", "Platform", "Quotes", "Postgres", "Imaging",
            .product(name: "Logging", package: "swift-log"),
            // Token signatures (HS256, ES256; RS256 from _CryptoExtras): see TokenVerifier.
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "LoadGenerator", dependencies: ["EventHTTP", "Platform"]),
        .executableTarget(name: "ticker", dependencies: [
            "Quotes", "Postgres", "Ingest", "Comet", "LoadGenerator", "Platform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Test helpers (clusters, servers, a raw HTTP client, Chromium, nginx): under Tests/, built only for tests.
        .target(name: "TickerTestSupport", dependencies: [
            "Quotes", "Postgres", "Comet", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TickerTestSupport"),
        .testTarget(name: "QuotesTests", dependencies: ["Quotes"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Quotes"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TickerTestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Postgres", "TickerTestSupport"]),
        .testTarget(name: "EventHTTPTests", dependencies: [
            "EventHTTP", "TickerTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CometTests", dependencies: [
            "Imaging", "Quotes", "Comet", "Ingest", "Postgres", "Platform", "TickerTestSupport",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "CommandTests", dependencies: ["Postgres", "Platform", "TickerTestSupport"]),
        .testTarget(name: "BrowserTests", dependencies: ["Imaging", "Quotes", "Comet", "Postgres", "TickerTestSupport"]),
    ]
)
