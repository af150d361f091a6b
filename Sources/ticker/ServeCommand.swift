import ArgumentParser
import Comet
import Foundation
import Postgres
import Platform

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
    @Option(help: "Server processes sharing the port (SO_REUSEPORT), each with its own loop, LISTEN connection and cursor; each holds up to ~19,000 streams. Default: one per core.")
    var workers: Int?
    @OptionGroup var bayeux: BayeuxOptions
    @Option(name: .customLong("auth-key-file"), help: "Require a JWT on every data route, verified with this key: an HS256 secret (32+ bytes), or a PEM public key (RSA: RS256, P-256: ES256).")
    var authKeyFile: String?
    @Option(help: "With --auth-key-file: how late symbols a token grants only as delayed are served (2s, 15m, 1h or seconds; default 15m).")
    var delay: String?
    @Flag(help: .hidden) var worker = false
    @Option(name: .customLong("worker-index"), help: .hidden) var workerIndex = 0
    @Option(name: .customLong("bayeux-home"), help: .hidden) var bayeuxHome: Int?
    @OptionGroup var db: DatabaseOptions

    func validate() throws {
        try OptionCheck.whole(maxPerAddress, "--max-per-address", 0...19_000, "(0: no limit)")
        if let workers { try OptionCheck.whole(workers, "--workers", 1...64) }
        if let port { try OptionCheck.whole(port, "--port", OptionCheck.port) }
        if let bayeuxHome { try OptionCheck.whole(bayeuxHome, "--bayeux-home", 1...65535) }
        try OptionCheck.whole(workerIndex, "--worker-index", 0...63)
        try OptionCheck.number(heartbeat, "--heartbeat", 1...300, "seconds")
        _ = try listenPort()
        if let delay {
            guard let d = DelayDuration.seconds(delay), d <= 86_400 else {
                throw ValidationError("--delay '\(delay.prefix(20))' is not a duration of at most a day (e.g. 2s, 15m, 1h, or seconds)")
            }
            // Without tokens every symbol is live: a delay would silently do nothing.
            guard authKeyFile != nil else { throw ValidationError("--delay needs --auth-key-file (without tokens every symbol is served live)") }
        }
        if let authKeyFile, !FileManager.default.isReadableFile(atPath: authKeyFile) {
            throw ValidationError("--auth-key-file '\(authKeyFile.prefix(200))' is not a readable file")
        }
    }

    /// `--port`, else `$PORT`, else 8080.
    func listenPort() throws -> Int {
        if let port { return port }
        guard let env = ProcessInfo.processInfo.environment["PORT"], !env.isEmpty else { return 8080 }
        guard let p = Int(env), OptionCheck.port.contains(p) else {
            throw ValidationError("PORT '\(env.prefix(20))' is not a port number (0 to 65535)")
        }
        return p
    }

    func run() throws {
        if worker { ParentDeath.follow() } // a worker never outlives its pool
        let logger = try db.logger("ticker.serve")
        let target: DatabaseTarget
        do { target = try DatabaseTarget.resolve(url: db.databaseURL, local: worker ? .asIs : .requireRunning) } catch { die("\(error)") }
        let workers = self.workers ?? min(ProcessInfo.processInfo.activeProcessorCount, 64)
        if workers > 1 && !worker {
            // Workers re-run this command line with --worker; the database is ready now.
            // Worker 0 keeps every Bayeux session; the others relay /cometd to it on this loopback port.
            guard let home = FreePort.loopback() else { die("cannot find a free loopback port for the Bayeux relay") }
            WorkerPool(count: workers, arguments: CommandLine.arguments + ["--worker", "--bayeux-home", "\(home)"]).run()
        }
        var config = CometConfiguration(databaseURL: target.serverURL)
        config.host = host
        config.port = try listenPort()
        config.heartbeatSeconds = heartbeat
        config.maxConnectionsPerAddress = maxPerAddress
        config.publicDirectory = ResourceLocator.directory(named: "Public", environmentOverride: "TICKER_PUBLIC_DIR")
        if !corsOrigins.isEmpty { config.corsOrigins = corsOrigins }
        bayeux.apply(to: &config.bayeux, feedURL: target.feedURL)
        config.handleSignals = true
        config.authKeyFile = authKeyFile.map { URL(fileURLWithPath: $0) }
        config.delaySeconds = delay.flatMap(DelayDuration.seconds) ?? 900
        config.reusePort = worker
        if worker, let bayeuxHome { config.bayeux.home = workerIndex == 0 ? .owner(port: bayeuxHome) : .relay(port: bayeuxHome) }
        let server = CometServer(configuration: config, logger: logger)
        do {
            let bound = try server.start()
            say(worker ? "worker \(getpid()) serving on http://\(host):\(bound)/" : "serving on http://\(host):\(bound)/")
        } catch { die("\(error)") }
        server.wait()
    }
}
