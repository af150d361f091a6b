import Postgres
import Quotes

/// `/history` as SQL: raw ticks in `[from, to)`, or OHLC bars from `date_bin`.
/// The (symbol, ts) index serves both; the newest `limit` rows are returned in
/// time order.
struct HistoryQuery {
    let symbol: String
    let from: String?
    let to: String?
    let interval: (name: String, sql: String)?
    let limit: Int
    /// The newest `ts` shown (inclusive), for a delayed symbol: now minus the delay.
    var through: String?

    init(symbol: String, from: String?, to: String?, interval: (name: String, sql: String)?, limit: Int, through: String? = nil) {
        self.symbol = symbol
        self.from = from
        self.to = to
        self.interval = interval
        self.limit = limit
        self.through = through
    }

    var parameters: [String?] { [symbol, from, to, String(limit)] + (interval.map { [$0.sql] } ?? []) + (through.map { [$0] } ?? []) }

    private var range: String {
        let base = "symbol = $1 AND ($2::timestamptz IS NULL OR ts >= $2::timestamptz) AND ($3::timestamptz IS NULL OR ts < $3::timestamptz)"
        guard through != nil else { return base }
        return base + " AND ts <= $\(interval == nil ? 5 : 6)::timestamptz"
    }

    var sql: String {
        if interval == nil {
            return "SELECT * FROM (SELECT \(TickSQL.columns) FROM ticks WHERE \(range) ORDER BY ts DESC, id DESC LIMIT $4) t ORDER BY 7, 1"
        }
        // A delayed symbol's newest tick is its newest released one: the
        // window reaches back from there, not from the live max(ts).
        let newest = through == nil ? "" : " AND ts <= $6::timestamptz"
        return """
            SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), open::text, high::text, low::text, close::text, volume
            FROM (
                SELECT date_bin($5::interval, ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
                       (array_agg(price ORDER BY ts, id))[1] AS open, max(price) AS high, min(price) AS low,
                       (array_agg(price ORDER BY ts DESC, id DESC))[1] AS close, coalesce(sum(size), 0) AS volume
                FROM ticks WHERE \(range)
                  -- Without `from`, read only as far back as `limit` bars can reach
                  -- from the newest tick (one index probe), not the whole history.
                  AND ($2::timestamptz IS NOT NULL OR ts >= (SELECT max(ts) FROM ticks WHERE symbol = $1\(newest)) - $5::interval * ($4::int + 1))
                GROUP BY 1 ORDER BY 1 DESC LIMIT $4
            ) b ORDER BY bucket
            """
    }

    func render(_ r: PGResult) -> String {
        let sym = JSON.string(symbol)
        guard let interval else {
            let ticks = TickSQL.ticks(from: r).map(\.json).joined(separator: ",")
            return "{\"symbol\":\(sym),\"ticks\":[\(ticks)]}"
        }
        var bars: [String] = []
        for i in 0..<r.rowCount {
            bars.append("{\"time\":\"\(r.string(i, 0)!)\",\"open\":\"\(r.string(i, 1)!)\",\"high\":\"\(r.string(i, 2)!)\",\"low\":\"\(r.string(i, 3)!)\",\"close\":\"\(r.string(i, 4)!)\",\"volume\":\(r.int64(i, 5) ?? 0)}")
        }
        return "{\"symbol\":\(sym),\"interval\":\"\(interval.name)\",\"bars\":[\(bars.joined(separator: ","))]}"
    }
}
