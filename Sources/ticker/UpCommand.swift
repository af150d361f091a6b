import ArgumentParser
import Comet
import Foundation
import Ingest
import Postgres

/// `ticker up`: the whole demo in one command.
struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The demo: local PostgreSQL, schema, server on 127.0.0.1:8080 and a simulated feed. Ctrl-C stops all of it.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port of the server (0 picks a free one).") var port = 8080
    @Option(name: .customLong("cors-origin"), help: "Origin allowed to call the API from another site (repeatable; '*' for any).")
    var corsOrigins: [String] = []
    @Option(help: "Simulated ticks per second.") var rate: Double = 20
    @Option(help: "Symbols to simulate, comma-separated.") var symbols: String?
    @OptionGroup var db: DatabaseOptions

    func validate() throws {
        try OptionCheck.whole(port, "--port", OptionCheck.port)
        try OptionCheck.number(rate, "--rate", OptionCheck.ticksPerSecond, "ticks per second")
        _ = try parseSymbols(symbols)
    }

    func run() throws {
        let logger = try db.logger("ticker.up")
        let cluster = LocalCluster.fromEnvironment()
        var startedDatabase = false
        let target: DatabaseTarget
        do {
            if db.databaseURL == nil && (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty {
                say(cluster.isRunning() ? "using the local PostgreSQL already running under \(cluster.home.path)"
                                        : "starting the local PostgreSQL under \(cluster.home.path) ...")
                startedDatabase = try cluster.start()
            }
            target = try DatabaseTarget.resolve(url: db.databaseURL, local: .start)
        } catch { die("\(error)") }

        var config = CometConfiguration(databaseURL: target.serverURL)
        config.host = host
        config.port = port
        if !corsOrigins.isEmpty { config.corsOrigins = corsOrigins }
        config.publicDirectory = ResourceLocator.directory(named: "Public", environmentOverride: "TICKER_PUBLIC_DIR")
        config.handleSignals = true
        let server = CometServer(configuration: config, logger: logger)
        let bound: Int
        do { bound = try server.start() } catch {
            if startedDatabase { try? cluster.stop() }
            die("\(error)")
        }
        let feed = SimulatedFeed(symbols: try parseSymbols(symbols), rate: rate, duration: nil, logger: logger)
        let feedDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { try feed.run(url: target.feedURL) } catch { logger.error("feed stopped: \(error)") }
            feedDone.signal()
        }
        // The address a browser can open: a wildcard listen is reached on loopback.
        let shown = host == "0.0.0.0" || host.isEmpty ? "127.0.0.1" : host
        say("""

            CometTicker is up: open http://\(shown):\(bound)/
              database: psql "\(target.adminURL)"
              Ctrl-C stops \(startedDatabase ? "the server, the feed and the database" : "the server and the feed").

            """)
        server.wait()
        feed.stop()
        feedDone.wait()
        if startedDatabase {
            try? cluster.stop()
            say("stopped the server, the feed and the local database")
        } else {
            say("stopped the server and the feed")
        }
    }
}
