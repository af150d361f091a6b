import Quotes

/// Publishing from Bayeux clients. The feed is PostgreSQL, so by default a
/// publish is refused (`403::publish refused`). With
/// `BayeuxConfiguration.publishToken`, a client presenting that token in
/// `ext.ticker.publishToken` may publish a tick to `/quotes/SYMBOL`: its data
/// (`price`, and optionally `size`, `bid`, `ask`, `ts`) passes the same row
/// checks as `ticker feed` (`FeedRow.problem`), is inserted into `ticks`, and
/// reaches every subscriber, the publisher included, by the normal path
/// (NOTIFY, the cursor), with the id the database gave it. The reply means
/// "accepted"; a row the database still refuses is logged and counted.
final class BayeuxPublisher {
    private unowned let context: ServerContext
    private var database: DatabaseDriver?
    private(set) var inserted = 0
    private(set) var refusedByDatabase = 0

    init(context: ServerContext) { self.context = context }

    func publish(_ m: BayeuxMessage, by c: BayeuxClient) -> String {
        let config = context.config.bayeux
        guard let token = config.publishToken, config.publishDatabaseURL != nil else {
            return refuse(m, BayeuxError(403, "", "publish refused: quotes come from the database feed, not from clients"))
        }
        guard let given = m.tickerExt?["publishToken"]?.string, Self.same(given, token) else {
            return refuse(m, BayeuxError(403, "", "publish refused: missing or wrong ext.ticker.publishToken"))
        }
        let symbol: String
        switch BayeuxChannel.publishTarget(m.channel) {
        case .failure(let e): return refuse(m, e)
        case .success(let s): symbol = s
        }
        switch Self.row(symbol: symbol, data: m.data) {
        case .failure(let e):
            return refuse(m, e)
        case .success(let row):
            insert(row)
            return BayeuxReply.reply(to: m, clientId: c.id, successful: true)
        }
    }

    private func refuse(_ m: BayeuxMessage, _ e: BayeuxError) -> String {
        context.bayeux.failure(m, e)
    }

    /// A published tick's data as a feed row, checked as `ticker feed` checks rows.
    static func row(symbol: String, data: BayeuxJSON?) -> Result<FeedRow, BayeuxError> {
        guard let fields = data?.object else {
            return .failure(BayeuxError(400, "", "data must be a tick object such as {\"price\":\"189.23\",\"size\":100}"))
        }
        var row = FeedRow(symbol: Array(symbol.utf8)[...])
        for (key, value) in fields where value != .null {
            if key == "symbol" {
                guard value.string == symbol else { return .failure(BayeuxError(400, "", "data.symbol must be the channel's symbol, \(symbol)")) }
                continue
            }
            guard key != "id" else { return .failure(BayeuxError(400, "", "data.id is given by the database, not by the publisher")) }
            guard let text = value.text else { return .failure(BayeuxError(400, "", "data.\(key.prefix(20)) must be a string or a number")) }
            guard row.set(key, Array(text.utf8)[...]) else {
                return .failure(BayeuxError(400, "", "unknown field data.\(key.prefix(20)); fields are price, size, bid, ask, ts"))
            }
        }
        if let e = FeedMapping().finish(&row) { return .failure(BayeuxError(400, "", e.message)) }
        if let problem = row.problem() { return .failure(BayeuxError(400, "", problem)) }
        return .success(row)
    }

    private static let insertSQL = """
        INSERT INTO ticks (symbol, price, size, bid, ask, ts)
        VALUES ($1, $2::numeric, $3::bigint, $4::numeric, $5::numeric,
                coalesce('epoch'::timestamptz + $6::bigint * interval '1 microsecond', now()))
        """

    private func insert(_ row: FeedRow) {
        let db = database ?? open()
        func text(_ f: ArraySlice<UInt8>?) -> String? { f.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) } }
        // The time as microseconds since 1970: exact, and free of the session's time zone.
        let ts = row.ts.flatMap { $0.isEmpty ? nil : TimestampText.micros($0) }.map { String($0) }
        db.query(Self.insertSQL, [text(row.symbol), text(row.price), text(row.size), text(row.bid), text(row.ask), ts]) {
            [weak self] result in
            guard let self else { return }
            switch result {
            case .success: self.inserted += 1
            case .failure(let e):
                self.refusedByDatabase += 1
                self.context.logger.warning("a Bayeux publish was refused by the database: \(e)")
            }
        }
    }

    private func open() -> DatabaseDriver {
        let db = DatabaseDriver(loop: context.loop, url: context.config.bayeux.publishDatabaseURL!, logger: context.logger)
        db.start()
        database = db
        return db
    }

    func close() { database?.close() }

    /// Compares tokens in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }
}
