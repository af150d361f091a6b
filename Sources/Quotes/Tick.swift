/// One committed quote tick, as the database holds it and every transport shows it.
///
/// Numeric fields are kept as the exact decimal text PostgreSQL printed for its
/// `numeric` column: a price is never rounded through a binary float.
public struct Tick: Sendable, Equatable {
    public var id: Int64
    public var symbol: String
    public var price: String
    public var size: Int64?
    public var bid: String?
    public var ask: String?
    /// ISO 8601 in UTC with microseconds, e.g. `2026-11-24T12:00:00.123456Z`.
    public var ts: String
    /// Routed after a tick of its symbol with a newer event time (a backfill,
    /// a late report): delivered like any other, but not the latest quote.
    public var late = false
    /// Served through the delay line (a subscriber entitled only to delayed
    /// quotes): `"delayed":true` in its JSON.
    public var delayed = false

    public init(id: Int64, symbol: String, price: String, size: Int64? = nil,
                bid: String? = nil, ask: String? = nil, ts: String) {
        self.id = id
        self.symbol = symbol
        self.price = price
        self.size = size
        self.bid = bid
        self.ask = ask
        self.ts = ts
    }

    /// True when this tick's event time is after `other`'s (the id breaks
    /// ties). `ts` has a fixed width in UTC, so its text orders like the time.
    public func isNewer(than other: Tick) -> Bool {
        ts != other.ts ? ts > other.ts : id > other.id
    }

    /// The tick's JSON object, the same on every route and transport.
    public var json: String {
        var out = "{\"id\":\(id),\"symbol\":"
        JSON.appendString(symbol, to: &out)
        out += ",\"price\":\"\(price)\""
        if let size { out += ",\"size\":\(size)" }
        if let bid { out += ",\"bid\":\"\(bid)\"" }
        if let ask { out += ",\"ask\":\"\(ask)\"" }
        out += ",\"ts\":\"\(ts)\""
        if late { out += ",\"late\":true" }
        if delayed { out += ",\"delayed\":true" }
        out += "}"
        return out
    }
}
