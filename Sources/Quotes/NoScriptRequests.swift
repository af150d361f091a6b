/// `GET /board?symbols=..[&refresh=N]`, validated. Pure, so the route's 400s
/// are tested without a server.
public struct BoardRequest: Sendable, Equatable {
    public static let refreshRange = 1...60
    public static let defaultRefresh = 2

    public var symbols: [String]
    public var refresh: Int

    /// Throws a one-line `QueryError` for the 400 body.
    public init(query: QueryParameters, maxSymbols: Int) throws(QueryError) {
        try query.requireOnly(["symbols", "refresh", "token"])
        symbols = try RouteParameters.symbols(query.value("symbols"), max: maxSymbols)
        refresh = try RouteParameters.seconds(query.value("refresh"), name: "refresh",
                                              range: Self.refreshRange, default: Self.defaultRefresh)
    }
}

/// `GET /ticker.png?symbols=..[&once=1]`, validated. The symbol list keeps the
/// asked order (it is the order drawn), upper-cased and de-duplicated, so it is
/// also the key of the shared frame cache.
public struct TickerImageRequest: Sendable, Equatable {
    /// A strip wider than this many symbols is no longer readable in a README.
    public static let maxSymbols = 12

    public var symbols: [String]
    /// One `image/png` frame instead of a stream.
    public var once: Bool

    public init(query: QueryParameters, maxSymbols: Int = Self.maxSymbols) throws(QueryError) {
        try query.requireOnly(["symbols", "once", "token"])
        symbols = try RouteParameters.symbols(query.value("symbols"), max: maxSymbols)
        switch try query.value("once") {
        case nil, "0", "false": once = false
        case "", "1", "true": once = true
        case let other?: throw QueryError("'once' must be 1 or 0, not '\(String(other.prefix(20)))'")
        }
    }
}
