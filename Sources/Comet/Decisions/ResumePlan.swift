/// Where a new stream or poll starts, from the client's cursor: one decision
/// that streams and polls share.
///
/// The server knows every tick after the log's floor in memory, older ones in
/// PostgreSQL. A cursor ahead of the server's (another database, a reset
/// database) cannot be trusted: the client starts afresh.
enum ResumePlan: Equatable {
    /// No cursor: a snapshot of the latest quotes, then live ticks.
    case fresh
    /// A cursor ahead of the server's: `reset`, a snapshot, then live ticks.
    case unknownCursor
    /// The client has everything: live ticks only.
    case upToDate
    /// Missed ticks after `after` are in the in-memory log.
    case fromLog(after: Int64)
    /// Missed ticks after `after` are older than the log: replay from PostgreSQL.
    case fromDatabase(after: Int64)

    /// - Parameters:
    ///   - since: the client's cursor (`since`, `Last-Event-ID`), if any.
    ///   - cursor: the newest tick id the server has routed.
    ///   - logFloor: the id below which the in-memory log knows nothing.
    init(since: Int64?, cursor: Int64, logFloor: Int64) {
        guard let since else { self = .fresh; return }
        if since > cursor { self = .unknownCursor }
        else if since == cursor { self = .upToDate }
        else if since >= logFloor { self = .fromLog(after: since) }
        else { self = .fromDatabase(after: since) }
    }

    /// True when the client must be sent the latest quotes first.
    var needsSnapshot: Bool { self == .fresh || self == .unknownCursor }

    /// The cursor after which the client missed ticks, when it missed any.
    var missedAfter: Int64? {
        switch self {
        case .fromLog(let after), .fromDatabase(let after): return after
        case .fresh, .unknownCursor, .upToDate: return nil
        }
    }

    /// True when the missed ticks must be read from PostgreSQL.
    var needsDatabase: Bool { if case .fromDatabase = self { return true } else { return false } }
}
