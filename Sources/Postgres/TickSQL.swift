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

    /// The latest tick of every symbol among those at or below cursor `$1`:
    /// the newest `ts`, the id breaking ties (a backfill of older ticks, though
    /// committed later, does not become the latest quote).
    public static let latestAll = """
        SELECT \(columns) FROM (SELECT t.* FROM symbols s CROSS JOIN LATERAL (
            SELECT * FROM ticks WHERE ticks.symbol = s.symbol AND ticks.id <= $1 ORDER BY ts DESC, id DESC LIMIT 1) t) ticks
        """

    /// Day figures of symbols `$1` (a text array) in the session now, from
    /// `day_quotes_through` (Schema/005, 006): symbol, session start (ISO 8601
    /// UTC), reference, where the reference came from, open, high, low, last,
    /// volume. `$2` is each symbol's cut (`cuts(_:)`; NULL: none): a delayed
    /// symbol's figures come only from ticks with `ts` at or before it.
    /// Prices come out as exact decimal text (null where a symbol has no ticks).
    public static let dayQuotes = """
        SELECT symbol, to_char(session_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               reference::text, reference_from, open::text, high::text, low::text, last::text, volume::text
        FROM day_quotes_through($1::text[], $2::timestamptz[])
        """

    /// A Postgres array literal of cut times for `dayQuotes`' `$2`, one per
    /// symbol in order (nil: no cut, the live view).
    public static func cuts(_ times: [String?]) -> String {
        "{" + times.map { $0.map { "\"\($0)\"" } ?? "NULL" }.joined(separator: ",") + "}"
    }

    /// The session now: its start (ISO 8601 UTC), the exchange's time zone, and its opening time.
    public static let session = """
        SELECT to_char(s.starts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), m.time_zone, to_char(m.opens, 'HH24:MI')
        FROM market_session_at() s, market_session m
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
