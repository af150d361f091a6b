import Comet
import Foundation
import Logging
import Postgres

/// A real Comet server on a free port, over a test database.
public final class TestServer: @unchecked Sendable {
    public let server: CometServer
    public let port: Int
    public let target: DatabaseTarget

    public init(target: DatabaseTarget, logger given: Logger? = nil, configure: (inout CometConfiguration) -> Void = { _ in }) throws {
        self.target = target
        var config = CometConfiguration(databaseURL: target.serverURL)
        config.port = 0
        config.publicDirectory = ResourceLocator.directory(named: "Public", environmentOverride: "TICKER_PUBLIC_DIR")
        configure(&config)
        var logger = given ?? Logger(label: "test.server")
        if given == nil { logger.logLevel = .warning }
        server = CometServer(configuration: config, logger: logger)
        port = try server.start()
    }

    public func stop() {
        server.shutdown()
        server.wait()
    }

    deinit { stop() }

    /// Runs SQL as the feed role (what any script inserting ticks does).
    public func insert(_ sql: String, _ params: [String?] = []) throws {
        try PGConnection(target.feedURL).exec(sql, params)
    }
}
