import Foundation
import Glibc
import Platform

/// The private PostgreSQL cluster of DESIGN.md §6, kept under a home folder
/// (`TICKER_HOME`, default `.ticker/`): created with `initdb`, run with `pg_ctl`,
/// listening on 127.0.0.1 and a unix socket, on a port chosen once at creation
/// and kept with the cluster, so a stop and start brings it back at the same address.
///
/// PostgreSQL refuses to run as root; when we are root, the cluster runs as the
/// `postgres` user that Debian's package creates, and its folders belong to it.
public struct LocalCluster: Sendable {
    /// The database the project uses inside the cluster.
    public static let databaseName = "ticker"
    /// The cluster's superuser.
    public static let superuser = "postgres"

    public let home: URL
    /// Extra `postgresql.conf` lines written at creation (tests turn fsync off).
    public let extraSettings: [String]

    public init(home: URL, extraSettings: [String] = []) {
        self.home = home.standardizedFileURL
        self.extraSettings = extraSettings
    }

    /// The cluster of the home `ClusterHome.locate()` finds (`TICKER_HOME`, a
    /// `.ticker/` here or above, the executable's checkout, else `./.ticker`).
    public static func fromEnvironment() -> LocalCluster {
        LocalCluster(home: ClusterHome.locate().url)
    }

    static var runningAsRoot: Bool { geteuid() == 0 }

    /// Where the cluster's files live: `home/postgres`, or, when root and the
    /// `postgres` user cannot reach the home folder (e.g. under /root), a folder
    /// it can reach under /var/tmp that is named after the home path.
    public var clusterRoot: URL {
        let inside = home.appendingPathComponent("postgres", isDirectory: true)
        guard Self.runningAsRoot, !Self.postgresCanTraverse(home) else { return inside }
        var hash: UInt64 = 0xcbf29ce484222325
        for b in home.path.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        return URL(fileURLWithPath: "/var/tmp/ticker-postgres/\(String(hash, radix: 16))", isDirectory: true)
    }

    public var dataDirectory: URL { clusterRoot.appendingPathComponent("data", isDirectory: true) }
    public var socketDirectory: URL { clusterRoot.appendingPathComponent("run", isDirectory: true) }
    public var logFile: URL { clusterRoot.appendingPathComponent("postgres.log") }
    var portFile: URL { home.appendingPathComponent("port") }

    public var isInitialized: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
    }

    /// The port chosen when the cluster was created.
    public var port: Int? {
        guard let text = try? String(contentsOf: portFile, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A libpq URL for `user` on the project database (usable by `psql "$(ticker db url)"`).
    public func url(user: String = LocalCluster.superuser, database: String = LocalCluster.databaseName) -> String? {
        guard let port else { return nil }
        return "postgresql://\(user)@127.0.0.1:\(port)/\(database)"
    }

    // MARK: Lifecycle

    /// Creates the cluster when missing, starts it when stopped, and makes sure
    /// the project database exists. Safe to call when it is already running.
    /// - Returns: true when this call started the server.
    @discardableResult
    public func start() throws -> Bool {
        let binaries = try PostgresBinaries.locate()
        if !isInitialized { try initialize(binaries) }
        var started = false
        if !isRunning(binaries) {
            try prepareSocketDirectory()
            try runAsOwner([binaries.pgCtl, "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "start"])
            started = true
        }
        try ensureDatabase()
        return started
    }

    /// Stops the server (`fast` lets sessions end cleanly; `immediate` is a crash stop).
    public func stop(mode: String = "fast") throws {
        let binaries = try PostgresBinaries.locate()
        guard isInitialized, isRunning(binaries) else { return }
        try runAsOwner([binaries.pgCtl, "-D", dataDirectory.path, "-m", mode, "-w", "-t", "60", "stop"])
    }

    public func isRunning(_ binaries: PostgresBinaries? = nil) -> Bool {
        guard isInitialized, let b = binaries ?? (try? PostgresBinaries.locate()) else { return false }
        let (status, _) = (try? Shell.runStatus(ownerCommand([b.pgCtl, "-D", dataDirectory.path, "status"]))) ?? (1, "")
        return status == 0
    }

    /// Stops the server if running and deletes every file of the cluster.
    public func destroy() {
        try? stop(mode: "immediate")
        try? FileManager.default.removeItem(at: clusterRoot)
        try? FileManager.default.removeItem(at: portFile)
    }

    private func initialize(_ binaries: PostgresBinaries) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        try? fm.removeItem(at: dataDirectory)
        try fm.createDirectory(at: clusterRoot, withIntermediateDirectories: true)
        try giveToOwner(clusterRoot)
        try runAsOwner([binaries.initdb, "-D", dataDirectory.path, "-U", Self.superuser, "--auth=trust",
                        "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"])
        let port = try Self.freePort()
        var conf = """

            # CometTicker local cluster
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(socketDirectory.path)'
            max_connections = 300
            timezone = 'UTC'
            log_min_messages = warning

            """
        for line in extraSettings { conf += line + "\n" }
        let confURL = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: confURL)
        handle.seekToEndOfFile()
        handle.write(Data(conf.utf8))
        handle.closeFile()
        try "\(port)\n".write(to: portFile, atomically: true, encoding: .utf8)
    }

    private func prepareSocketDirectory() throws {
        try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        try giveToOwner(socketDirectory)
    }

    private func ensureDatabase() throws {
        guard let admin = url(database: "postgres") else { throw PGError("the cluster under \(home.path) has no port file") }
        let c = try PGConnection(admin)
        if try c.exec("SELECT 1 FROM pg_database WHERE datname = $1", [Self.databaseName]).rowCount == 0 {
            try c.exec("CREATE DATABASE \(c.escapeIdentifier(Self.databaseName))")
        }
    }

    // MARK: Running as the cluster's owner

    func ownerCommand(_ args: [String]) -> [String] {
        Self.runningAsRoot ? ["runuser", "-u", "postgres", "--"] + args : args
    }

    func runAsOwner(_ args: [String]) throws {
        try Shell.run(ownerCommand(args))
    }

    private func giveToOwner(_ url: URL) throws {
        guard Self.runningAsRoot else { return }
        guard getpwnam("postgres") != nil else {
            throw PGError("running as root needs the 'postgres' user to run the cluster; install Debian's postgresql package")
        }
        try Shell.run(["chown", "-R", "postgres:postgres", url.path])
    }

    static func postgresCanTraverse(_ url: URL) -> Bool {
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let status = try? Shell.runStatus(["runuser", "-u", "postgres", "--", "test", "-x", url.path])
        return status?.0 == 0
    }

    /// A TCP port on 127.0.0.1 that is free now.
    public static func freePort() throws -> Int {
        guard let port = FreePort.loopback() else { throw PGError("could not find a free port: \(String(cString: strerror(errno)))") }
        return port
    }
}

/// Where the PostgreSQL server programs are: the newest `/usr/lib/postgresql/N/bin`, or PATH.
public struct PostgresBinaries: Sendable {
    public let initdb: String
    public let pgCtl: String

    public static func locate() throws -> PostgresBinaries {
        let fm = FileManager.default
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for v in versions {
            let bin = "\(root)/\(v)/bin"
            if fm.isExecutableFile(atPath: "\(bin)/initdb") { return PostgresBinaries(initdb: "\(bin)/initdb", pgCtl: "\(bin)/pg_ctl") }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if fm.isExecutableFile(atPath: "\(dir)/initdb") { return PostgresBinaries(initdb: "\(dir)/initdb", pgCtl: "\(dir)/pg_ctl") }
        }
        throw PGError("PostgreSQL's server programs (initdb, pg_ctl) are not installed; run bin/setup, or apt-get install postgresql")
    }
}
