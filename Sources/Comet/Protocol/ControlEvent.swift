import Quotes

/// The protocol's events other than ticks, in one place: every transport
/// frames these same names and JSON bodies (docs/PROTOCOL.md describes them).
enum ControlEvent: Equatable {
    /// First event of every stream: where the server's cursor is, how often
    /// heartbeats come, the symbols the stream carries, and whether the
    /// server's database is reachable (quotes may be stale while it is not).
    case hello(cursor: StreamCursor, heartbeatSeconds: Int, symbols: [String], databaseUp: Bool, delay: Delay? = nil)
    /// The database went away (quotes may be stale) or came back and the
    /// server has caught up.
    case status(databaseUp: Bool)
    /// The latest quote of each symbol, when not resuming.
    case snapshot(ticks: [EncodedTick], cursor: StreamCursor?)
    /// The client's cursor cannot be resumed (unknown, or too far behind):
    /// it starts afresh from `cursor` with a snapshot.
    case reset(reason: String, cursor: StreamCursor)
    /// A slow reader was given the latest tick per symbol instead of `skipped` ticks.
    case conflated(skipped: Int, from: Int64, to: Int64)
    /// The server is going away; reconnect after `retryMilliseconds` from `cursor`.
    case bye(retryMilliseconds: Int, cursor: StreamCursor)
    /// Keep-alive carrying the cursor (transports without a comment syntax).
    case heartbeat(cursor: StreamCursor)
    /// The subscriber's token has expired: the server closes the stream. The
    /// client gets a new token and resumes from `cursor` (its own position).
    case tokenExpired(cursor: StreamCursor)

    /// What `hello` tells a subscriber with delayed symbols: the delay in
    /// seconds and which of its symbols are served late.
    struct Delay: Equatable {
        var seconds: Int
        var symbols: [String]
    }

    static func == (a: ControlEvent, b: ControlEvent) -> Bool { a.name == b.name && a.json == b.json && a.id == b.id }

    var name: String {
        switch self {
        case .hello: return "hello"
        case .status: return "status"
        case .snapshot: return "snapshot"
        case .reset: return "reset"
        case .conflated: return "conflated"
        case .bye: return "bye"
        case .heartbeat: return "heartbeat"
        case .tokenExpired: return "token-expired"
        }
    }

    /// The event id (a cursor a reconnect may resume from), where it has one.
    var id: StreamCursor? {
        switch self {
        case .snapshot(_, let cursor): return cursor
        case .heartbeat(let cursor): return cursor
        default: return nil
        }
    }

    var json: String {
        var w = JSONWriter()
        switch self {
        case .hello(let cursor, let heartbeat, let symbols, let up, let delay):
            w.field("cursor", raw: cursor.json)
            w.field("heartbeat", heartbeat)
            w.field("symbols", strings: symbols)
            w.field("database", up ? "up" : "down")
            if let delay {
                w.field("delay", delay.seconds)
                w.field("delayed", strings: delay.symbols)
            }
        case .status(let up):
            w.field("database", up ? "up" : "down")
        case .snapshot(let ticks, _):
            w.field("ticks", rawArray: ticks.lazy.map(\.json))
        case .reset(let reason, let cursor):
            w.field("reason", reason)
            w.field("cursor", raw: cursor.json)
        case .conflated(let skipped, let from, let to):
            w.field("skipped", skipped)
            w.field("from", from)
            w.field("to", to)
        case .bye(let retry, let cursor):
            w.field("retry", retry)
            w.field("cursor", raw: cursor.json)
        case .heartbeat(let cursor), .tokenExpired(let cursor):
            w.field("cursor", raw: cursor.json)
        }
        return w.json
    }
}
