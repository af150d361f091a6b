/// The reader's state machine: when to fetch ticks after the cursor.
///
/// A notification is only a wake-up; the reader then fetches everything after
/// its cursor in batches until a batch comes back short. Wake-ups during a
/// fetch are remembered, not lost; a reconnect always fetches (notifications
/// sent while disconnected are gone). Performing the actions is the server's job.
struct CursorReader: Equatable {
    enum State: Equatable { case disconnected, idle, fetching(again: Bool) }
    enum Action: Equatable { case none, fetch(after: Int64) }

    private(set) var state: State = .disconnected
    private(set) var cursor: Int64

    init(cursor: Int64) { self.cursor = cursor }

    mutating func connected() -> Action {
        state = .fetching(again: false)
        return .fetch(after: cursor)
    }

    mutating func disconnected() { state = .disconnected }

    mutating func notified() -> Action {
        switch state {
        case .idle:
            state = .fetching(again: false)
            return .fetch(after: cursor)
        case .fetching:
            state = .fetching(again: true)
            return .none
        case .disconnected:
            return .none
        }
    }

    /// A batch arrived: `lastID` is its newest id (nil when empty); `full` when
    /// it hit the batch limit (more may be waiting).
    mutating func fetched(lastID: Int64?, full: Bool) -> Action {
        if let lastID { cursor = max(cursor, lastID) }
        guard case .fetching(let again) = state else { return .none }
        if full || again {
            state = .fetching(again: false)
            return .fetch(after: cursor)
        }
        state = .idle
        return .none
    }

    /// The fetch failed (the connection is being re-established).
    mutating func fetchFailed() { state = .disconnected }
}
