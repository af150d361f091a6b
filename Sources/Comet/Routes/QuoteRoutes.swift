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

    private func quotes(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbols"])
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: 500)
        var w = JSONWriter()
        w.field("cursor", context.hub.cursor)
        w.field("quotes", rawArray: symbols.compactMap { context.hub.latest[$0]?.json })
        context.json(req, w.json)
    }

    private func history(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbol", "from", "to", "interval", "limit"])
        let symbol = try RouteParameters.symbols(q.value("symbol"), max: 1, name: "symbol")[0]
        let (from, to) = try RouteParameters.timeRange(from: q.value("from"), to: q.value("to"))
        let interval = try RouteParameters.interval(q.value("interval"))
        let limit = try RouteParameters.wholeNumber(q.value("limit"), name: "limit", range: 1...10_000, default: 1000)
        let query = HistoryQuery(symbol: symbol, from: from, to: to, interval: interval, limit: limit)
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
