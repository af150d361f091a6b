import ArgumentParser
import Comet
import Foundation
import Postgres

/// `ticker serve`: the Comet server.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Comet server (dashboard, streams, polls, history).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (default: $PORT, else 8080).") var port: Int?
    @Option(help: "Seconds between stream heartbeats.") var heartbeat: Double = 15
    @Option(name: .customLong("cors-origin"), help: "Origin allowed to call the API from another site (repeatable; '*' for any).")
    var corsOrigins: [String] = []
    @Option(name: .customLong("max-per-address"), help: "Streams and held polls per client address (0: no limit; keep 0 behind a proxy).")
    var maxPerAddress = 0
    @Option(help: "Server processes sharing the port (SO_REUSEPORT); each holds up to ~19,000 streams.")
    var workers = 1
    @Flag(help: .hidden) var worker = false
    @OptionGroup var db: DatabaseOptions

    func validate() throws {
        guard maxPerAddress >= 0 else { throw ValidationError("--max-per-address must be 0 (no limit) or more") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1 to 64") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        guard heartbeat >= 1, heartbeat <= 300 else { throw ValidationError("--heartbeat must be 1 to 300 seconds") }
    }

    func run() throws {
        let logger = try db.logger("ticker.serve")
        let target: DatabaseTarget
        do { target = try DatabaseTarget.resolve(url: db.databaseURL, prepareLocal: !worker) } catch { die("\(error)") }
        if workers > 1 && !worker {
            // Workers re-run this command line with --worker; the database is ready now.
            WorkerPool(count: workers, arguments: CommandLine.arguments + ["--worker"]).run()
        }
        var config = CometConfiguration(databaseURL: target.serverURL)
        config.host = host
        config.port = try port ?? ProcessInfo.processInfo.environment["PORT"].map {
            guard let p = Int($0) else { throw ValidationError("PORT '\($0)' is not a port number") }
            return p
        } ?? 8080
        config.heartbeatSeconds = heartbeat
        config.maxConnectionsPerAddress = maxPerAddress
        config.publicDirectory = ResourceLocator.directory(named: "Public", environmentOverride: "TICKER_PUBLIC_DIR")
        if !corsOrigins.isEmpty { config.corsOrigins = corsOrigins }
        config.handleSignals = true
        config.reusePort = worker
        let server = CometServer(configuration: config, logger: logger)
        do {
            let bound = try server.start()
            say(worker ? "worker \(getpid()) serving on http://\(host):\(bound)/" : "serving on http://\(host):\(bound)/")
        } catch { die("\(error)") }
        server.wait()
    }
}
