import EventHTTP
import Postgres
import Quotes

/// `GET /quotes` (the latest quote per symbol, from memory) and
/// `GET /history` (ticks or OHLC bars, from PostgreSQL).
struct QuoteRoutes {
    unowned let context: ServerContext

    func register(on router: Router) {
        router.register("/quotes") { try self.quotes($0, $1) }
        router.register("/history") { try self.history($0, $1) }
    }

    /// The latest quotes from memory, with the session and the day's figures
    /// (reference price, open, high, low, volume) from PostgreSQL, so that
    /// every page computes the day's change the same way, after any reload.
    /// Without the database, the quotes alone.
    private func quotes(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbols", "token"])
        let pass = try context.access.pass(req, q)
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: 500)
        let split = try pass.split(symbols)
        let live = context.hub, delayed = context.hub(delayed: true)
        var w = JSONWriter()
        switch split.kind {
        case .live: w.field("cursor", live.cursor)
        case .delayed: w.field("cursor", delayed.cursor)
        case .mixed: w.field("cursor", raw: StreamCursor(live.cursor, delayed: delayed.cursor).json)
        }
        // Delayed symbols: the latest tick the delay line has released.
        w.field("quotes", rawArray: symbols.compactMap { context.latest($0, split)?.json })
        if let delay = context.delayInfo(split) {
            w.field("delay", delay.seconds)
            w.field("delayed", strings: delay.symbols)
        }
        // A delayed symbol's day: only ticks the delay has released (ts <= now - delay).
        let cut = delayedCut
        let cuts = TickSQL.cuts(symbols.map { split.delayed.contains($0) ? cut : nil })
        let db = context.queryDB
        db.query(TickSQL.session) { [unowned context] session in
            db.query(TickSQL.dayQuotes, [TickSQL.arrayLiteral(symbols), cuts]) { day in
                if case .success(let s) = session, case .success(let d) = day, s.rowCount == 1 {
                    w.field("session", raw: DayFigures.session(s))
                    w.field("day", raw: DayFigures.day(d))
                }
                context.json(req, w.json)
            }
        }
    }

    /// The newest `ts` a delayed symbol shows now: now minus the delay.
    private var delayedCut: String {
        TimestampText.iso(micros: Int64((context.access.now() - context.access.delaySeconds) * 1_000_000))
    }

    private func history(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbol", "from", "to", "interval", "limit", "token"])
        let pass = try context.access.pass(req, q)
        let symbol = try RouteParameters.symbols(q.value("symbol"), max: 1, name: "symbol")[0]
        let split = try pass.split([symbol])
        let (from, to) = try RouteParameters.timeRange(from: q.value("from"), to: q.value("to"))
        let interval = try RouteParameters.interval(q.value("interval"))
        let limit = try RouteParameters.wholeNumber(q.value("limit"), name: "limit", range: 1...10_000, default: 1000)
        var query = HistoryQuery(symbol: symbol, from: from, to: to, interval: interval, limit: limit)
        // History newer than the delay is cut for a delayed symbol.
        if split.kind == .delayed {
            query.through = delayedCut
        }
        context.queryDB.query(query.sql, query.parameters) { [unowned context] result in
            switch result {
            case .success(let r): context.json(req, query.render(r))
            case .failure(let e) where e.sqlState?.hasPrefix("22") == true:
                context.fail(req, 400, "bad time range: \(e.message.split(separator: "\n").first ?? "")")
            case .failure:
                context.fail(req, 503, "history is unavailable right now; retry shortly")
            }
        }
    }
}
