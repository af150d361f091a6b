import EventHTTP

/// A subscriber whose symbols are partly live and partly delayed: one stream
/// or WebSocket, two positions. Each part is a `MixedLeg` registered in its
/// hub with its own `StreamFlow` (resume, replay and conflation exactly as a
/// plain subscriber's), and every event id is the pair `L:D` of both legs'
/// positions, so a reconnect resumes both at once. Ticks keep their shared
/// JSON; the frames around them are made by its `MixedOutput`, per
/// subscriber, because the id differs.
///
/// Tracked by the server with no symbols of its own: its legs are what the
/// hubs know.
final class MixedStream: TickSubscriber {
    let output: any MixedOutput
    private(set) var live: MixedLeg!
    private(set) var delayed: MixedLeg!

    /// - Parameters:
    ///   - live, delayed: each leg's symbols, hub, the position it starts
    ///     after and whether it waits for a replay from PostgreSQL.
    init(output: any MixedOutput, live: MixedLeg.Start, delayed: MixedLeg.Start, outputLimit: Int) {
        self.output = output
        super.init(symbols: [])
        self.live = MixedLeg(owner: self, isDelayed: false, start: live, outputLimit: outputLimit)
        self.delayed = MixedLeg(owner: self, isDelayed: true, start: delayed, outputLimit: outputLimit)
        onDetach = { [unowned self] in
            self.live.hub.remove(self.live)
            self.delayed.hub.remove(self.delayed)
        }
    }

    /// The stream response, when it is one (not a WebSocket).
    var streamOutput: StreamOutput? { output as? StreamOutput }

    /// Its own flag: `write` runs while a leg's flow is being modified, so it
    /// must not read that flow.
    private(set) var isClosed = false
    var conflations: Int { live.flow.conflations + delayed.flow.conflations }

    /// Both hubs' cursors: where the server is.
    var serverCursor: StreamCursor { StreamCursor(live.hub.cursor, delayed: delayed.hub.cursor) }

    /// The client's position: each leg's hub cursor while it is live (it has
    /// every tick of its symbols up to it), else the last tick it was sent.
    var position: StreamCursor { StreamCursor(live.position, delayed: delayed.position) }

    /// True while both legs are live: a snapshot may then carry `serverCursor`.
    var isLive: Bool { live.flow.isLive && delayed.flow.isLive }

    /// Registers both legs in their hubs.
    func attach() {
        live.hub.add(live)
        delayed.hub.add(delayed)
    }

    func send(_ event: ControlEvent) {
        guard !isClosed else { return }
        output.send(event)
    }

    /// Writes a leg's ticks, each with the pair of its own id and the other
    /// leg's position (as heartbeats say it: an id never goes back or stale).
    func write(_ ticks: [EncodedTick], from leg: MixedLeg) {
        guard !ticks.isEmpty, !isClosed else { return }
        leg.sent(ticks.last!.id)
        let other = (leg.isDelayed ? live! : delayed!).shownPosition()
        output.write(ticks, ids: ticks.map { leg.isDelayed ? StreamCursor(other, delayed: $0.id) : StreamCursor($0.id, delayed: other) })
    }

    /// The keep-alive: each leg's conflation catch-up, then the heartbeat
    /// with both hubs' cursors when both legs are live.
    func heartbeat() {
        guard !isClosed else { return }
        var beats = 0
        for leg in [live!, delayed!] {
            leg.beat(pendingOutput: output.pendingOutput) { beats += 1 }
        }
        if beats == 2 { output.keepAlive(StreamCursor(live.shownPosition(), delayed: delayed.shownPosition())) }
    }

    /// Shutdown: `bye` with the client's position (a replaying leg is not
    /// at its hub's cursor).
    func closeForShutdown(retryMilliseconds: Int) {
        close(with: .bye(retryMilliseconds: retryMilliseconds, cursor: position))
    }

    /// Ends it with `event` (`bye`, `token-expired`).
    func close(with event: ControlEvent) {
        guard !isClosed else { return }
        markClosed()
        output.end(with: event)
    }

    func markClosed() {
        isClosed = true
        live.flow.close()
        delayed.flow.close()
    }
}

/// One part of a `MixedStream`: its symbols in one hub, with its own flow.
final class MixedLeg: TickSubscriber, ReplayTarget {
    struct Start {
        var symbols: [String]
        var hub: TickHub
        var since: Int64
        var replaying: Bool
    }

    unowned let owner: MixedStream
    let isDelayed: Bool
    let hub: TickHub
    var flow: StreamFlow

    init(owner: MixedStream, isDelayed: Bool, start: Start, outputLimit: Int) {
        self.owner = owner
        self.isDelayed = isDelayed
        hub = start.hub
        flow = StreamFlow(since: start.since, replaying: start.replaying, outputLimit: outputLimit)
        shown = start.since
        super.init(symbols: start.symbols)
        home = hub
    }

    /// The most this leg's part of an id has said so far.
    private var shown: Int64

    /// Where the client stands in this leg: the hub's cursor while live (it
    /// has every tick of its symbols up to it), else the last tick it was
    /// sent; never below what an earlier id said (a leg that fell behind
    /// into conflation had every tick up to that).
    var position: Int64 { max(shown, flow.isLive ? hub.cursor : flow.lastID) }

    /// `position`, remembered as said: for an id or a heartbeat.
    func shownPosition() -> Int64 {
        shown = position
        return shown
    }

    /// This leg's own tick `id` went out.
    func sent(_ id: Int64) { shown = max(shown, id) }

    override func accept(_ tick: EncodedTick) { flow.accept(tick) }

    override func deliver() {
        // The owner reads only the other leg's flow while this one is modified.
        flow.deliver(pendingOutput: owner.output.pendingOutput) { owner.write($0, from: self) }
    }

    /// A leg's own events carry its part of the pair.
    func send(_ event: ControlEvent) {
        if case .reset(let reason, let cursor) = event {
            let other = (isDelayed ? owner.live! : owner.delayed!).shownPosition()
            let pair = isDelayed ? StreamCursor(other, delayed: cursor.live) : StreamCursor(cursor.live, delayed: other)
            return owner.send(.reset(reason: reason, cursor: pair))
        }
        owner.send(event)
    }

    func write(_ ticks: [EncodedTick]) { owner.write(ticks, from: self) }
}
