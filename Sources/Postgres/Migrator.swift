import Foundation

/// Applies the numbered `.sql` files of `Schema/` in order, each once, each in
/// its own transaction, recording them in `schema_migrations`. Running it twice
/// is harmless; two migrators at once wait for each other.
public struct Migrator: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The migrations in `directory`, sorted by file name (`001_...sql`).
    public func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Applies what is missing; returns the names of the files applied now.
    @discardableResult
    public func migrate(_ connection: PGConnection) throws -> [String] {
        try connection.execScript("""
            SET client_min_messages = warning;
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """)
        var applied: [String] = []
        for file in try files() {
            let version = file.deletingPathExtension().lastPathComponent
            let sql = try String(contentsOf: file, encoding: .utf8)
            try connection.execScript("BEGIN; SELECT pg_advisory_xact_lock(7310843216);")
            do {
                if try connection.exec("SELECT 1 FROM schema_migrations WHERE version = $1", [version]).rowCount == 0 {
                    try connection.execScript(sql)
                    try connection.exec("INSERT INTO schema_migrations (version) VALUES ($1)", [version])
                    applied.append(version)
                }
                try connection.execScript("COMMIT")
            } catch {
                try? connection.execScript("ROLLBACK")
                throw MigrationError(file: file.lastPathComponent, underlying: "\(error)")
            }
        }
        return applied
    }

    public struct MigrationError: Error, CustomStringConvertible {
        public let file: String
        public let underlying: String
        public var description: String { "migration \(file) failed: \(underlying)" }
    }
}
