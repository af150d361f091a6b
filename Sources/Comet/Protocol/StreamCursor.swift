import Foundation
import Quotes

/// A client's position on the wire: a tick id `N`, or `L:D` on a stream that
/// mixes live and delayed symbols (the live hub's cursor and the delayed
/// hub's, both ids of the one `ticks` sequence).
///
/// Plain ids stay plain everywhere (an open server, or a stream whose symbols
/// are all live or all delayed), so clients that know nothing of delays are
/// unaffected. A pair is a JSON string (`"125:98"`) where a plain cursor is a
/// number, and the text `125:98` in SSE `id:` lines.
struct StreamCursor: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    var live: Int64
    /// The delayed hub's cursor, on a mixed stream only.
    var delayed: Int64?

    init(_ live: Int64, delayed: Int64? = nil) {
        self.live = live
        self.delayed = delayed
    }

    init(integerLiteral value: Int64) { self.init(value) }

    var isPair: Bool { delayed != nil }

    /// `N` or `L:D`, for SSE `id:` lines and `Last-Event-ID`.
    var description: String { delayed.map { "\(live):\($0)" } ?? String(live) }

    /// The JSON value: a number, or a string for a pair.
    var json: String { isPair ? "\"\(description)\"" : description }

    /// Parses `since` or `Last-Event-ID`: `N` or `L:D` (whole numbers ≥ 0).
    /// A plain `N` on a mixed stream means both parts after `N`: the caller
    /// decides with `parts(mixed:)`.
    static func parse(_ raw: String?, name: String) throws(QueryError) -> StreamCursor? {
        guard let raw else { return nil }
        let t = raw.trimmingCharacters(in: .whitespaces)
        let halves = t.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(halves.count), let l = Int64(halves[0]), l >= 0 else { throw bad(name, t) }
        guard halves.count == 2 else { return StreamCursor(l) }
        guard let d = Int64(halves[1]), d >= 0 else { throw bad(name, t) }
        return StreamCursor(l, delayed: d)
    }

    private static func bad(_ name: String, _ t: String) -> QueryError {
        QueryError("'\(name)' must be a tick id (a whole number, 0 or more) or a pair L:D, not '\(String(t.prefix(30)))'")
    }

    /// The (live, delayed) parts; a plain cursor counts for both.
    var parts: (live: Int64, delayed: Int64) { (live, delayed ?? live) }
}
