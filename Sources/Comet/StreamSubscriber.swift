import Quotes

/// One streaming client, on any of the four wire formats.
///
/// Slow readers: before each write the connection's unsent output is checked.
/// Past `outputLimit` the subscriber stops writing and keeps only the latest
/// tick per symbol (Lightstreamer's MERGE mode); once the client has drained
/// below a quarter of the limit it gets an explicit `conflated` event naming
/// how many ticks it missed, then those latest ticks, and streaming resumes.
/// A client that takes nothing at all is closed by the write timeout and
/// resumes from its last event id. Memory per slow reader is thus bounded by
/// the limit plus one tick per symbol.
final class StreamSubscriber: TickSubscriber {
    enum Mode {
        /// Waiting for a replay from PostgreSQL; live ticks are held meanwhile.
        case replaying(held: [EncodedTick])
        case live
        case conflating(latest: [String: EncodedTick], skipped: Int, from: Int64)
        case closed
    }

    let request: HTTPRequest
    let format: WireFormat
    let outputLimit: Int
    private(set) var mode: Mode
    private var pending: [EncodedTick] = []
    private var buffer: [UInt8] = []
    private(set) var lastID: Int64
    /// Ticks dropped by conflation so far (for metrics).
    private(set) var conflations = 0

    init(request: HTTPRequest, format: WireFormat, symbols: [String], since: Int64, replaying: Bool, outputLimit: Int) {
        self.request = request
        self.format = format
        self.lastID = since
        self.outputLimit = outputLimit
        self.mode = replaying ? .replaying(held: []) : .live
        super.init(symbols: symbols)
    }

    override func accept(_ tick: EncodedTick) {
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

    override func deliver() {
        guard case .live = mode, !pending.isEmpty else { return }
        if request.pendingOutput > outputLimit {
            var latest: [String: EncodedTick] = [:]
            for t in pending { latest[t.tick.symbol] = t }
            conflations += pending.count
            mode = .conflating(latest: latest, skipped: pending.count, from: lastID)
            pending.removeAll()
            return
        }
        write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Sends raw bytes (events other than ticks).
    func send(_ bytes: [UInt8]) {
        if case .closed = mode { return } // the request may already be freed
        request.send(bytes)
    }

    func sendEvent(_ name: String, json: String) {
        buffer.removeAll(keepingCapacity: true)
        format.appendEvent(name, json: json, to: &buffer)
        send(buffer)
    }

    /// Ends a replay: sends the replayed ticks, then what arrived meanwhile.
    func finishReplay(_ replayed: [EncodedTick]) {
        guard case .replaying(let held) = mode else { return }
        mode = .live
        let upTo = replayed.last?.id ?? lastID
        write(replayed + held.filter { $0.id > upTo })
    }

    /// Sends ticks missed before the stream opened, from the in-memory log.
    func deliverReplay(_ ticks: [EncodedTick]) {
        guard case .live = mode else { return }
        write(ticks)
    }

    /// Ends a replay that was too large: the client is told and starts afresh.
    func abandonReplay(reason: String, snapshot: [EncodedTick], cursor: Int64) {
        guard case .replaying(let held) = mode else { return }
        mode = .live
        sendEvent("reset", json: "{\"reason\":\(JSON.string(reason)),\"cursor\":\(cursor)}")
        sendEvent("snapshot", json: "{\"ticks\":[" + snapshot.map { String(decoding: $0.json, as: UTF8.self) }.joined(separator: ",") + "]}")
        write(held.filter { $0.id > cursor })
    }

    /// The periodic keep-alive; also where a conflating reader is caught up.
    func heartbeat(cursor: Int64, frame: [UInt8]) {
        switch mode {
        case .live:
            send(frame)
        case .conflating(let latest, let skipped, let from):
            guard request.pendingOutput < outputLimit / 4 else { return }
            mode = .live
            let ticks = latest.values.sorted { $0.id < $1.id }
            sendEvent("conflated", json: "{\"skipped\":\(skipped),\"from\":\(from),\"to\":\(ticks.last?.id ?? from)}")
            write(ticks)
        default:
            break
        }
    }

    func markClosed() { mode = .closed }

    var isClosed: Bool { if case .closed = mode { return true } else { return false } }

    private func write(_ ticks: [EncodedTick]) {
        guard !ticks.isEmpty else { return }
        buffer.removeAll(keepingCapacity: true)
        format.appendTicks(ticks, to: &buffer)
        lastID = ticks.last!.id
        request.send(buffer)
    }
}
