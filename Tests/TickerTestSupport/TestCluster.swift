import Foundation
import Glibc
import Postgres

/// A throwaway PostgreSQL for tests, made by the project's own `LocalCluster`
/// (the same code path as `ticker db start`). One cluster serves the test
/// process; each test gets a fresh, migrated database in it. Tests that
/// restart PostgreSQL make a cluster of their own with `TestCluster.isolated()`.
public enum TestCluster {
    nonisolated(unsafe) private static var shared: LocalCluster?
    nonisolated(unsafe) private static var counter = 0
    nonisolated(unsafe) private static var clusters: [LocalCluster] = []
    private static let lock = NSLock()

    /// A new cluster in a new temporary folder (fsync off: tests need speed, not durability).
    public static func isolated() throws -> LocalCluster {
        let home = URL(fileURLWithPath: "/tmp/ticker-test-\(getpid())-\(next())", isDirectory: true)
        // fsync off is safe for tests (a stopped server loses nothing the OS holds);
        // synchronous_commit stays on: with it off, a crash loses commits that
        // the server may already have pushed, which is not the product's promise.
        let cluster = LocalCluster(home: home, extraSettings: ["fsync = off", "full_page_writes = off"])
        try cluster.start()
        lock.lock()
        if clusters.isEmpty { atexit { TestCluster.destroyAll() } }
        clusters.append(cluster)
        lock.unlock()
        return cluster
    }

    /// A fresh database with the schema applied, in the shared cluster or in `cluster`.
    public static func database(in cluster: LocalCluster? = nil) throws -> DatabaseTarget {
        let c = try cluster ?? sharedCluster()
        let name = "t_\(next())"
        let admin = try PGConnection(c.url(database: "postgres")!)
        try admin.exec("CREATE DATABASE \(name)")
        try Migrator(directory: ResourceLocator.schema()).migrate(PGConnection(c.url(database: name)!))
        return DatabaseTarget.forCluster(c, database: name)
    }

    private static let sharedLock = NSLock()

    /// The cluster most tests share, started once (tests run in parallel).
    static func sharedCluster() throws -> LocalCluster {
        sharedLock.lock(); defer { sharedLock.unlock() }
        if let s = shared { return s }
        let c = try isolated()
        shared = c
        return c
    }

    static func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        return counter
    }

    static func destroyAll() {
        lock.lock()
        let all = clusters
        clusters.removeAll()
        lock.unlock()
        for c in all {
            try? c.stop(mode: "immediate")
            try? FileManager.default.removeItem(at: c.home)
            try? FileManager.default.removeItem(at: c.clusterRoot)
        }
    }
}
