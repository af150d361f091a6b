import ArgumentParser
import Comet
import Foundation
import Ingest
import Postgres

/// `ticker up`: the whole demo in one command.
struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The demo: local PostgreSQL, schema, server on 127.0.0.1:8080 and a simulated feed. Ctrl-C stops all of it.")

    @Option(help: "Port of the server.") var port = 8080
    @Option(help: "Simulated ticks per second.") var rate: Double = 20
    @Option(help: "Symbols to simulate, comma-separated.") var symbols: String?
    @OptionGroup var db: DatabaseOptions

    func run() throws {
        let logger = try db.logger("ticker.up")
        let cluster = LocalCluster.fromEnvironment()
        var startedDatabase = false
        let target: DatabaseTarget
        do {
            if db.databaseURL == nil && (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty {
                say("starting the local PostgreSQL under \(cluster.home.path) ...")
                startedDatabase = try cluster.start()
            }
            target = try DatabaseTarget.resolve(url: db.databaseURL)
        } catch { die("\(error)") }

        var config = CometConfiguration(databaseURL: target.serverURL)
        config.port = port
        config.publicDirectory = ResourceLocator.directory(named: "Public", environmentOverride: "TICKER_PUBLIC_DIR")
        config.handleSignals = true
        let server = CometServer(configuration: config, logger: logger)
        do { try server.start() } catch {
            if startedDatabase { try? cluster.stop() }
            die("\(error)")
        }
        let feed = SimulatedFeed(symbols: try parseSymbols(symbols), rate: rate, duration: nil, logger: logger)
        let feedDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { try feed.run(url: target.feedURL) } catch { logger.error("feed stopped: \(error)") }
            feedDone.signal()
        }
        say("""

            CometTicker is up: open http://127.0.0.1:\(port)/
              database: psql "\(target.adminURL)"
              Ctrl-C stops the server, the feed\(startedDatabase ? " and the database" : "").

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
