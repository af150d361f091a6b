import EventHTTP
import Glibc

/// One WebSocket client (`/ws`): performs what its `StreamFlow` decides, as
/// streams do, over a `WebSocketStream`.
///
/// Ticks go out as the text frames made once per tick (`EncodedTick`'s
/// `.websocket` frame, `{"event":"tick","data":{..},"id":N}`), gathered into
/// one write per wake-up; control events as single text messages through
/// wslay. Backpressure is the stream's: the socket's unsent output decides
/// conflation exactly as a stream's does, and a reader that takes nothing for
/// the write timeout is dropped (it resumes by cursor).
final class WebSocketSubscriber: TickSubscriber {
    let stream: WebSocketStream
    var flow: StreamFlow

    init(stream: WebSocketStream, symbols: [String], since: Int64, replaying: Bool, outputLimit: Int) {
        self.stream = stream
        flow = StreamFlow(since: since, replaying: replaying, outputLimit: outputLimit)
        super.init(symbols: symbols)
    }

    var isClosed: Bool { flow.isClosed || !stream.isOpen }
    var conflations: Int { flow.conflations }
    /// True while every tick of its symbols up to the hub's cursor has been
    /// handed out (not replaying, not conflating): a snapshot may then carry
    /// the hub's cursor as its id.
    var isLive: Bool { if case .live = flow.mode { return true } else { return false } }

    override func accept(_ tick: EncodedTick) { flow.accept(tick) }

    override func deliver() {
        // `frames` touches no `flow`: it runs while `flow` is being modified.
        flow.deliver(pendingOutput: stream.pendingOutput) { frames($0) }
    }

    override func deliver(_ ticks: [EncodedTick]) {
        flow.deliver(ticks, pendingOutput: stream.pendingOutput) { frames($0) }
    }

    /// Sends a control event as one text message.
    func send(_ event: ControlEvent) {
        guard !flow.isClosed else { return }
        stream.sendText(WebSocketMessage.text(event))
    }

    /// The periodic keep-alive: a ping (the client's pong keeps the idle
    /// timeout away) and the JSON heartbeat carrying the cursor, or the
    /// catch-up of a conflating reader that has drained.
    func heartbeat(cursor: StreamCursor) {
        guard !isClosed else { return }
        stream.sendPing()
        beat(pendingOutput: stream.pendingOutput) { send(.heartbeat(cursor: cursor)) }
    }

    /// Ends the socket with `bye` and close 1001 (shutdown).
    func close(with event: ControlEvent) {
        send(event)
        flow.close()
        stream.close(code: 1001, reason: "server shutting down")
    }

    func write(_ ticks: [EncodedTick]) {
        guard !ticks.isEmpty, !flow.isClosed else { return }
        frames(ticks)
    }

    /// Writes ticks straight from their shared frames: one gather-write, no
    /// copy (the gather list on the stack).
    private func frames(_ ticks: [EncodedTick]) {
        EncodedTick.withFrames(ticks, .websocket, chunked: false) { _ = stream.sendFrames($0) }
    }
}
