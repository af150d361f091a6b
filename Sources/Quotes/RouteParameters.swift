/// Validation of the HTTP routes' parameters (DESIGN.md §4), pure so it can be
/// tested and fuzzed without a server. Every error is one line for the client.
public enum RouteParameters {
    /// `symbols=AAPL,MSFT`: upper-cased, de-duplicated, at most `max`.
    public static func symbols(_ raw: String?, max: Int, name: String = "symbols") throws(QueryError) -> [String] {
        guard let raw, !raw.trimmingSpaces().isEmpty else {
            throw QueryError("missing '\(name)': give one or more symbols, e.g. \(name)=AAPL,MSFT")
        }
        var out: [String] = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: true) {
            switch Symbol.normalise(part.trimmingSpaces()) {
            case .success(let s): if !out.contains(s) { out.append(s) }
            case .failure(let e): throw QueryError(e.description)
            }
        }
        guard !out.isEmpty else { throw QueryError("missing '\(name)': give one or more symbols, e.g. \(name)=AAPL,MSFT") }
        guard out.count <= max else { throw QueryError("too many symbols (\(out.count)); at most \(max) per request") }
        return out
    }

    /// A tick id cursor (`since`, `Last-Event-ID`): a whole number ≥ 0.
    public static func cursor(_ raw: String?, name: String) throws(QueryError) -> Int64? {
        guard let raw else { return nil }
        let t = raw.trimmingSpaces()
        guard let v = Int64(t), v >= 0 else {
            throw QueryError("'\(name)' must be a tick id (a whole number, 0 or more), not '\(String(t.prefix(30)))'")
        }
        return v
    }

    /// A whole number of seconds in `range`.
    public static func seconds(_ raw: String?, name: String, range: ClosedRange<Int>, default value: Int) throws(QueryError) -> Int {
        guard let raw else { return value }
        guard let v = Int(raw.trimmingSpaces()), range.contains(v) else {
            throw QueryError("'\(name)' must be a whole number of seconds from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// A whole number in `range` (`limit`).
    public static func wholeNumber(_ raw: String?, name: String, range: ClosedRange<Int>, default value: Int) throws(QueryError) -> Int {
        guard let raw else { return value }
        guard let v = Int(raw.trimmingSpaces()), range.contains(v) else {
            throw QueryError("'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// A JSONP callback: a plain JavaScript identifier path (`cb`, `Ticker.cb_1`), nothing else.
    public static func callback(_ raw: String?) throws(QueryError) -> String? {
        guard let raw else { return nil }
        guard !raw.isEmpty, raw.utf8.count <= 64 else { throw QueryError("'callback' must be a JavaScript name of 1 to 64 characters") }
        for part in raw.split(separator: ".", omittingEmptySubsequences: false) {
            guard let first = part.unicodeScalars.first, !("0"..."9").contains(first),
                  part.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "$" })
            else { throw QueryError("'callback' must be a plain JavaScript name such as handleTicks or app.onTicks") }
        }
        return raw
    }

    /// An ISO 8601 time (`from`, `to`); a date alone is midnight UTC.
    public static func time(_ raw: String?, name: String) throws(QueryError) -> String? {
        guard let raw else { return nil }
        let bytes = Array(raw.utf8)[...]
        if let problem = FieldSyntax.timestampProblem(bytes) {
            throw QueryError("'\(name)' \(problem)")
        }
        return String(decoding: TimestampText.expandingDate(bytes), as: UTF8.self)
    }

    /// `from` and `to` of `/history`: each a time as `time` takes it, and
    /// `from` not after `to` (a reversed range is a mistake, not an empty answer).
    public static func timeRange(from rawFrom: String?, to rawTo: String?) throws(QueryError) -> (from: String?, to: String?) {
        let from = try time(rawFrom, name: "from"), to = try time(rawTo, name: "to")
        if let from, let to, let f = TimestampText.micros(Array(from.utf8)[...]), let t = TimestampText.micros(Array(to.utf8)[...]), f > t {
            throw QueryError("'from' (\(from)) is after 'to' (\(to))")
        }
        return (from, to)
    }

    /// History bar intervals and their PostgreSQL `interval` text.
    public static let intervals: [(String, String)] = [
        ("1s", "1 second"), ("5s", "5 seconds"), ("1m", "1 minute"), ("5m", "5 minutes"),
        ("15m", "15 minutes"), ("1h", "1 hour"), ("1d", "1 day"),
    ]

    public static func interval(_ raw: String?) throws(QueryError) -> (name: String, sql: String)? {
        guard let raw else { return nil }
        guard let found = intervals.first(where: { $0.0 == raw }) else {
            throw QueryError("unknown interval '\(String(raw.prefix(20)))'; use one of \(intervals.map(\.0).joined(separator: " "))")
        }
        return (found.0, found.1)
    }
}
