/// What a stream sends and when, as a plain value: the stream subscriber's
/// modes (live, replaying, conflating, closed) with ticks in and writes out.
/// `StreamSubscriber` performs what it returns.
///
/// Slow readers: before each write the connection's unsent output is checked.
/// Past `outputLimit` the stream stops writing and keeps only the latest tick
/// per symbol (Lightstreamer's MERGE mode); once the client has drained below
/// a quarter of the limit, at a heartbeat, it gets an explicit `conflated`
/// event naming how many ticks it missed, then those latest ticks, and live
/// streaming resumes. Memory per slow reader is thus bounded by the limit
/// plus one tick per symbol.
struct StreamFlow {
    enum Mode {
        /// Waiting for a replay from PostgreSQL; live ticks are held meanwhile.
        case replaying(held: [EncodedTick])
        case live
        case conflating(latest: [String: EncodedTick], skipped: Int, from: Int64)
        case closed
    }

    /// What a heartbeat turns into.
    enum Beat {
        case none
        /// The plain keep-alive.
        case keepAlive
        /// A conflating reader has drained: tell it, then send the latest ticks.
        case catchUp(ControlEvent, [EncodedTick])
    }

    let outputLimit: Int
    private(set) var mode: Mode
    private var pending: [EncodedTick] = []
    /// The newest tick id handed out for writing.
    private(set) var lastID: Int64
    /// Ticks dropped by conflation so far (for metrics).
    private(set) var conflations = 0

    init(since: Int64, replaying: Bool, outputLimit: Int) {
        lastID = since
        mode = replaying ? .replaying(held: []) : .live
        self.outputLimit = outputLimit
    }

    var isClosed: Bool { if case .closed = mode { return true } else { return false } }
    /// True while every accepted tick has been handed out (not replaying, not conflating).
    var isLive: Bool { if case .live = mode { return true } else { return false } }

    /// A tick of a subscribed symbol arrived (during a wake-up).
    mutating func accept(_ tick: EncodedTick) {
        switch mode {
        case .live: pending.append(tick)
        case .replaying(var held):
            held.append(tick)
            mode = .replaying(held: held)
        case .conflating(var latest, let skipped, let from):
            latest[tick.tick.symbol] = tick
            mode = .conflating(latest: latest, skipped: skipped + 1, from: from)
            conflations += 1
        case .closed: break
        }
    }

    /// Hands the wake-up's ticks to `write`, unless there are none or the
    /// reader is too far behind (then it starts conflating). A callback rather
    /// than a returned array: the pending buffer is then reused, not copied,
    /// on every delivery.
    mutating func deliver(pendingOutput: Int, write: ([EncodedTick]) -> Void) {
        guard case .live = mode, !pending.isEmpty else { return }
        emit(pending, pendingOutput: pendingOutput, write: write)
        pending.removeAll(keepingCapacity: true)
    }

    /// A wake-up's ticks handed over at once (a subscriber of one symbol):
    /// when live with nothing accepted meanwhile they go to `write` as given,
    /// a list shared with every other subscriber of the symbol; otherwise as
    /// `accept` for each, then `deliver`.
    mutating func deliver(_ ticks: [EncodedTick], pendingOutput: Int, write: ([EncodedTick]) -> Void) {
        guard case .live = mode, pending.isEmpty else {
            for t in ticks { accept(t) }
            return deliver(pendingOutput: pendingOutput, write: write)
        }
        emit(ticks, pendingOutput: pendingOutput, write: write)
    }

    /// Writes `ticks`, or starts conflating when the reader is too far behind.
    private mutating func emit(_ ticks: [EncodedTick], pendingOutput: Int, write: ([EncodedTick]) -> Void) {
        guard let last = ticks.last else { return }
        if pendingOutput > outputLimit {
            var latest: [String: EncodedTick] = [:]
            for t in ticks { latest[t.tick.symbol] = t }
            conflations += ticks.count
            mode = .conflating(latest: latest, skipped: ticks.count, from: lastID)
        } else {
            lastID = last.id
            write(ticks)
        }
    }

    /// Ticks missed before the stream opened, from the in-memory log.
    mutating func missed(_ ticks: [EncodedTick]) -> [EncodedTick] {
        guard case .live = mode else { return [] }
        return handOut(ticks)
    }

    /// A replay from PostgreSQL arrived: its ticks, then those held meanwhile.
    mutating func finishReplay(_ replayed: [EncodedTick]) -> [EncodedTick] {
        guard case .replaying(let held) = mode else { return [] }
        mode = .live
        let upTo = replayed.last?.id ?? lastID
        return handOut(replayed + held.filter { $0.id > upTo })
    }

    /// A replay that could not be done (too large, or history unavailable):
    /// the client starts afresh at `cursor`. Returns the held ticks after it,
    /// or nil when no replay was under way.
    mutating func abandonReplay(cursor: Int64) -> [EncodedTick]? {
        guard case .replaying(let held) = mode else { return nil }
        mode = .live
        lastID = cursor
        return handOut(held.filter { $0.id > cursor })
    }

    /// The periodic keep-alive; also where a conflating reader is caught up.
    mutating func heartbeat(pendingOutput: Int) -> Beat {
        switch mode {
        case .live:
            return .keepAlive
        case .conflating(let latest, let skipped, let from):
            guard pendingOutput < outputLimit / 4 else { return .none }
            mode = .live
            let ticks = latest.values.sorted { $0.id < $1.id }
            let event = ControlEvent.conflated(skipped: skipped, from: from, to: ticks.last?.id ?? from)
            return .catchUp(event, handOut(ticks))
        case .replaying, .closed:
            return .none
        }
    }

    mutating func close() { mode = .closed }

    private mutating func handOut(_ ticks: [EncodedTick]) -> [EncodedTick] {
        if let last = ticks.last { lastID = last.id }
        return ticks
    }
}
