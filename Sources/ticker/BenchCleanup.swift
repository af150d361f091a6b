import Foundation
import Postgres

/// The bench's ticks (symbols BENCH000...) are deleted when it ends, so they
/// do not stay in the user's `latest_quotes`, history and dashboard: the server
/// under test reads the user's database, so the bench cannot use one of its own.
/// Locally it deletes as the owner; with a URL whose role may not delete, it
/// says what to run instead.
struct BenchCleanup {
    let url: String
    let symbols: [String]

    func run() {
        do {
            try PGConnection(url).exec("DELETE FROM ticks WHERE symbol = ANY($1::text[])", [TickSQL.arrayLiteral(symbols)])
        } catch {
            FileHandle.standardError.write(Data("ticker: could not delete the bench's ticks (\(error)); as the table's owner run: DELETE FROM ticks WHERE symbol LIKE 'BENCH%'\n".utf8))
        }
    }
}
