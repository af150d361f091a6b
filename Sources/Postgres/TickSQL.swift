import Quotes

/// The SQL that reads ticks back in the wire format's shape, and the decoding
/// of its rows, shared by the server, the tests and the benchmark.
public enum TickSQL {
    /// Select list whose columns `ticks(from:)` decodes; `ts` comes out as
    /// ISO 8601 UTC with microseconds, exactly as the wire format shows it.
    public static let columns = """
        id, symbol, price::text, size, bid::text, ask::text, \
        to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        """

    /// Every tick after `$1`, at most `$2`, in id order.
    public static let after = "SELECT \(columns) FROM ticks WHERE id > $1 ORDER BY id LIMIT $2"

    /// Ticks of symbols `$2` after `$1` and up to `$3`, at most `$4`, in id order.
    public static let replay = """
        SELECT \(columns) FROM ticks
        WHERE symbol = ANY($2::text[]) AND id > $1 AND id <= $3 ORDER BY id LIMIT $4
        """

    /// The latest tick of every symbol, at or below cursor `$1`.
    public static let latestAll = """
        SELECT \(columns) FROM (SELECT t.* FROM symbols s CROSS JOIN LATERAL (
            SELECT * FROM ticks WHERE ticks.symbol = s.symbol AND ticks.id <= $1 ORDER BY id DESC LIMIT 1) t) ticks
        """

    public static func ticks(from r: PGResult) -> [Tick] {
        (0..<r.rowCount).map { i in
            Tick(id: r.int64(i, 0) ?? 0, symbol: r.string(i, 1) ?? "", price: r.string(i, 2) ?? "",
                 size: r.int64(i, 3), bid: r.string(i, 4), ask: r.string(i, 5), ts: r.string(i, 6) ?? "")
        }
    }

    /// A Postgres array literal of symbols (symbols are validated, so no quoting is needed).
    public static func arrayLiteral(_ symbols: [String]) -> String {
        "{" + symbols.map { "\"\($0)\"" }.joined(separator: ",") + "}"
    }
}
