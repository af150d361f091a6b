import Foundation

/// Which PostgreSQL the commands use and as whom.
///
/// With `DATABASE_URL` (or `--database-url`), every command uses that URL as is.
/// Without it, the local cluster of `TICKER_HOME` is used, with the least
/// privilege each command needs: the feed as `ticker_feed`, the server as
/// `ticker_server`, migrations and `psql` as the superuser.
public struct DatabaseTarget: Sendable {
    public let adminURL: String
    public let feedURL: String
    public let serverURL: String
    /// The local cluster, when no URL was given.
    public let cluster: LocalCluster?

    public init(adminURL: String, feedURL: String, serverURL: String, cluster: LocalCluster?) {
        self.adminURL = adminURL
        self.feedURL = feedURL
        self.serverURL = serverURL
        self.cluster = cluster
    }

    /// What a command may do with the local cluster when no URL is given.
    public enum LocalPolicy: Sendable {
        /// Create, start and migrate it (`ticker up`, `ticker db start`, tests).
        case start
        /// Use it only if it runs (migrating it); a stopped one is an error
        /// that says how to start it: a user who stopped it meant it.
        case requireRunning
        /// Use its URLs as they are (a server worker: its parent checked).
        case asIs
    }

    /// Resolves from an explicit URL, `DATABASE_URL`, or the local cluster (see
    /// `LocalPolicy`), whose schema is brought up to date unless `migrate` is false.
    public static func resolve(url: String?, local policy: LocalPolicy = .requireRunning, migrate: Bool = true) throws -> DatabaseTarget {
        let given = url ?? ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let given { return DatabaseTarget(adminURL: given, feedURL: given, serverURL: given, cluster: nil) }
        let cluster = LocalCluster.fromEnvironment()
        switch policy {
        case .start:
            try cluster.start()
        case .requireRunning:
            guard cluster.isInitialized else {
                throw PGError("no local database under \(cluster.home.path) yet; create and start it with 'ticker db start' (or give --database-url)")
            }
            guard cluster.isRunning() else {
                throw PGError("the local database under \(cluster.home.path) is stopped; start it with 'ticker db start' (or give --database-url)")
            }
        case .asIs:
            return forCluster(cluster)
        }
        if migrate { try Migrator(directory: ResourceLocator.schema()).migrate(PGConnection(cluster.url()!)) }
        return forCluster(cluster)
    }

    /// The three URLs of a local cluster.
    public static func forCluster(_ cluster: LocalCluster, database: String = LocalCluster.databaseName) -> DatabaseTarget {
        DatabaseTarget(adminURL: cluster.url(database: database) ?? "",
                       feedURL: cluster.url(user: "ticker_feed", database: database) ?? "",
                       serverURL: cluster.url(user: "ticker_server", database: database) ?? "",
                       cluster: cluster)
    }
}
