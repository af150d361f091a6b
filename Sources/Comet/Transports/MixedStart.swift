/// How a stream or WebSocket mixing live and delayed symbols starts: each
/// leg's `ResumePlan` from its part of the cursor (a leg's unknown part makes
/// the whole subscriber start afresh: one `reset`, one snapshot), the
/// subscriber built on those plans, its opening events, then its missed ticks.
struct MixedStart {
    let subscriber: MixedStream
    let livePlan: ResumePlan
    let delayedPlan: ResumePlan
    /// Both hubs' cursors when it opened.
    let server: StreamCursor

    init(_ context: ServerContext, output: any MixedOutput, split: SymbolSplit, since: StreamCursor?) {
        let liveHub = context.hub, delayedHub = context.hub(delayed: true)
        server = StreamCursor(liveHub.cursor, delayed: delayedHub.cursor)
        var live = ResumePlan(since: since?.parts.live, cursor: liveHub.cursor, logFloor: liveHub.log.floor)
        var delayed = ResumePlan(since: since?.parts.delayed, cursor: delayedHub.cursor, logFloor: delayedHub.log.floor)
        if live == .unknownCursor || delayed == .unknownCursor { (live, delayed) = (.unknownCursor, .unknownCursor) }
        (livePlan, delayedPlan) = (live, delayed)
        subscriber = MixedStream(
            output: output,
            live: .init(symbols: split.live, hub: liveHub, since: live.missedAfter ?? liveHub.cursor, replaying: live.needsDatabase),
            delayed: .init(symbols: split.delayed, hub: delayedHub, since: delayed.missedAfter ?? delayedHub.cursor,
                           replaying: delayed.needsDatabase),
            outputLimit: context.config.streamOutputLimit)
    }

    /// `hello` (with the delay), `reset` and the snapshot of both hubs, as the plans say.
    func openingEvents(_ context: ServerContext, _ split: SymbolSplit) -> [ControlEvent] {
        context.openingEvents(livePlan, cursor: server, symbols: split.live + split.delayed,
                              snapshot: context.snapshot(split), delay: context.delayInfo(split))
    }

    /// Each leg's missed ticks, from its hub's log or PostgreSQL.
    func sendMissed(_ context: ServerContext, _ split: SymbolSplit) {
        let m = subscriber
        context.sendMissed(m.live, plan: livePlan, symbols: split.live, upTo: server.live, from: m.live.hub)
        context.sendMissed(m.delayed, plan: delayedPlan, symbols: split.delayed, upTo: server.delayed ?? 0, from: m.delayed.hub)
    }
}
