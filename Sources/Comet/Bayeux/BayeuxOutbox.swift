/// The ticks waiting for one Bayeux client, as a plain value.
///
/// Live ticks queue here until the client's next connect reply (or, on a
/// WebSocket, until the end of the wake-up). While a resume is reading
/// missed ticks from PostgreSQL, everything is held back, so that the
/// client never sees a live tick before older ones of the same symbol it
/// asked to be replayed; when the last resume ends, the queue is put in id
/// order. A client that lets more than `limit` ticks pile up (it stopped
/// reading without leaving) overflows: the server forgets it, and it comes
/// back by handshaking, with its last tick id, and resumes exactly where it was.
///
/// A client that acknowledges (`ext.ticker.since` on `/meta/connect`) has
/// its sent ticks kept until a connect names an id at or past them: an
/// answer lost with its connection is sent again, as CometD's ack extension does.
/// At most `limit` of them are kept (a WebSocket client acknowledges only
/// every connect, while ticks stream); if one beyond that turns out lost,
/// the client is forgotten and resumes by handshake instead.
struct BayeuxOutbox {
    let limit: Int
    private(set) var ready: [EncodedTick] = []
    private var held: [EncodedTick] = []
    private var resumes = 0
    /// Ticks sent and not yet acknowledged (only for clients that acknowledge).
    private(set) var unacked: [EncodedTick] = []
    private(set) var acknowledging = false
    /// The newest sent tick dropped from `unacked` to keep it within `limit`.
    private var droppedUnacked: Int64 = 0
    /// The newest live tick id queued: a tick reaching the client by two of
    /// its channels in one wake-up (`/quotes/*` and `/quotes/AAPL`) queues once.
    private var lastLive: Int64 = 0

    init(limit: Int) { self.limit = limit }

    /// True when the client must be dropped (see the type's summary).
    var overflowed: Bool { ready.count + held.count > limit }
    var isEmpty: Bool { ready.isEmpty }
    var isResuming: Bool { resumes > 0 }

    /// A live tick from the hub (ticks come in id order).
    mutating func accept(_ tick: EncodedTick) {
        guard tick.id > lastLive else { return }
        lastLive = tick.id
        if resumes > 0 { held.append(tick) } else { ready.append(tick) }
    }

    /// A resume starts (its ticks come later through `finishResume`).
    mutating func startResume() { resumes += 1 }

    /// Missed ticks or a snapshot, in id order, known now (not live: below the cursor).
    mutating func addMissed(_ ticks: [EncodedTick]) {
        if resumes > 0 { held += ticks } else { ready += ticks }
    }

    /// A resume's ticks arrived (possibly none, when it was abandoned).
    mutating func finishResume(_ ticks: [EncodedTick]) {
        guard resumes > 0 else { return addMissed(ticks) }
        resumes -= 1
        held += ticks
        guard resumes == 0 else { return }
        // Each symbol's ticks are already in order; sorting puts the client's
        // ticks across symbols in id order too, so its newest id is a safe cursor.
        ready += held.sorted { $0.id < $1.id }
        held.removeAll()
    }

    /// Takes what is ready to go out.
    mutating func take() -> [EncodedTick] {
        defer { ready.removeAll(keepingCapacity: true) }
        if acknowledging {
            unacked += ready
            if unacked.count > limit {
                let excess = unacked.count - limit
                droppedUnacked = unacked[excess - 1].id
                unacked.removeFirst(excess)
            }
        }
        return ready
    }

    /// A connect acknowledged every tick up to `id`. With `resend`, the ticks
    /// sent after it never arrived (the connect came on a new connection, so
    /// nothing can still be on its way) and go out again first.
    /// - Returns: false when some of those were no longer kept: the client
    ///   must resume by handshake.
    mutating func acknowledge(upTo id: Int64, resend: Bool) -> Bool {
        acknowledging = true
        unacked.removeAll { $0.id <= id }
        guard resend else { return true }
        if droppedUnacked > id { return false }
        ready = unacked + ready
        unacked.removeAll()
        return true
    }
}
