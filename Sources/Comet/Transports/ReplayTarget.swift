/// A long-lived subscriber driven by a `StreamFlow` (a stream or a WebSocket):
/// the server hands it the missed ticks (`ServerContext.sendMissed`), or tells
/// it to start afresh, and beats its heartbeat. These steps are the same for
/// both; only the framing differs (`send`, `write`).
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

    /// The periodic keep-alive through the flow: `keepAlive` (this transport's)
    /// when live, or the catch-up of a conflating reader that has drained:
    /// `conflated`, then the latest ticks.
    func beat(pendingOutput: Int, keepAlive: () -> Void) {
        switch flow.heartbeat(pendingOutput: pendingOutput) {
        case .none: break
        case .keepAlive: keepAlive()
        case .catchUp(let event, let ticks):
            send(event)
            write(ticks)
        }
    }

    /// The client went away: nothing more is written (its request may be freed).
    func markClosed() { flow.close() }

    /// A replay from PostgreSQL arrived: its ticks, then those held meanwhile.
    func finishReplay(_ replayed: [EncodedTick]) { write(flow.finishReplay(replayed)) }

    /// Ends a replay that was too large: the client is told and starts afresh.
    func abandonReplay(reason: String, snapshot: [EncodedTick], cursor: Int64) {
        guard let held = flow.abandonReplay(cursor: cursor) else { return }
        send(.reset(reason: reason, cursor: StreamCursor(cursor)))
        send(.snapshot(ticks: snapshot, cursor: nil))
        write(held)
    }
}

extension StreamSubscriber: ReplayTarget {}
extension WebSocketSubscriber: ReplayTarget {}
