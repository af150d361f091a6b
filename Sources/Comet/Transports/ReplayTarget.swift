/// A long-lived subscriber driven by a `StreamFlow` (a stream or a WebSocket):
/// `StreamRoute.replay` hands it the missed ticks, or tells it to start
/// afresh. The resume steps are the same for both; only the framing differs
/// (`send`, `write`).
protocol ReplayTarget: AnyObject {
    var flow: StreamFlow { get set }
    /// True once nothing more may be written (a default is below).
    var isClosed: Bool { get }
    /// Sends a control event in this transport's framing.
    func send(_ event: ControlEvent)
    /// Writes ticks the flow handed out, in this transport's framing.
    func write(_ ticks: [EncodedTick])
}

extension ReplayTarget {
    var isClosed: Bool { flow.isClosed }

    /// Sends ticks missed before the stream opened, from the in-memory log.
    func deliverMissed(_ ticks: [EncodedTick]) { write(flow.missed(ticks)) }

    /// A replay from PostgreSQL arrived: its ticks, then those held meanwhile.
    func finishReplay(_ replayed: [EncodedTick]) { write(flow.finishReplay(replayed)) }

    /// Ends a replay that was too large: the client is told and starts afresh.
    func abandonReplay(reason: String, snapshot: [EncodedTick], cursor: Int64) {
        guard let held = flow.abandonReplay(cursor: cursor) else { return }
        send(.reset(reason: reason, cursor: cursor))
        send(.snapshot(ticks: snapshot, cursor: nil))
        write(held)
    }
}

extension StreamSubscriber: ReplayTarget {}
extension WebSocketSubscriber: ReplayTarget {}
