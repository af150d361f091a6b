import Postgres

/// How a new stream or WebSocket starts, whatever its framing: the events it
/// opens with and the ticks it missed, by its `ResumePlan`.
extension ServerContext {
    /// `hello`, then `reset` for a cursor beyond the database's, then the
    /// snapshot unless the client is resuming.
    /// - Parameters:
    ///   - cursor: the server's cursor (the pair of both hubs' on a mixed stream).
    ///   - snapshot: the latest quotes of the stream's symbols, from their hubs.
    ///   - delay: the delay and delayed symbols, when the stream has any.
    func openingEvents(_ plan: ResumePlan, cursor: StreamCursor, symbols: [String],
                       snapshot: @autoclosure () -> [EncodedTick], delay: ControlEvent.Delay? = nil) -> [ControlEvent] {
        var events: [ControlEvent] = [.hello(cursor: cursor, heartbeatSeconds: Int(config.heartbeatSeconds),
                                             symbols: symbols, databaseUp: pump.databaseUp, delay: delay)]
        // A cursor from the future (another database, or a reset): start afresh.
        if plan == .unknownCursor { events.append(.reset(reason: "unknown cursor", cursor: cursor)) }
        if plan.needsSnapshot { events.append(.snapshot(ticks: snapshot(), cursor: cursor)) }
        return events
    }

    /// Sends what a resuming subscriber missed: from the in-memory log, or
    /// replayed from PostgreSQL (too much, or no history, and it is told to
    /// start afresh).
    func sendMissed(_ s: some ReplayTarget, plan: ResumePlan, symbols: [String], upTo cursor: Int64, from hub: TickHub) {
        switch plan {
        case .fromLog(let after):
            s.deliverMissed(hub.log.ticks(after: after) { symbols.contains($0) })
        case .fromDatabase(let after):
            replay(s, symbols: symbols, after: after, upTo: cursor, from: hub)
        case .fresh, .unknownCursor, .upToDate:
            break
        }
    }

    /// Replays from PostgreSQL up to `cursor`, the hub's: for the delayed hub
    /// that is `D`, so nothing newer than the delay line released is sent.
    private func replay(_ s: some ReplayTarget, symbols: [String], after: Int64, upTo cursor: Int64, from hub: TickHub) {
        let delayedHub = hub === delayed?.hub
        let max = config.maxReplay
        metrics.replaysFromDatabase += 1
        let params = [String(after), TickSQL.arrayLiteral(symbols), String(cursor), String(max + 1)]
        // `s` is held until the answer, not weakly: a weak reference would give
        // the subscriber a side table for its whole life (see `endOnExpiry`).
        queryDB.query(TickSQL.replay, params) { result in
            guard !s.isClosed else { return }
            switch result {
            case .success(let r):
                let ticks = TickSQL.ticks(from: r)
                if ticks.count > max {
                    s.abandonReplay(reason: "more than \(max) ticks missed", snapshot: hub.snapshot(symbols), cursor: hub.cursor)
                } else {
                    s.finishReplay(ticks.map { EncodedTick(delayedHub ? DelayedFeed.marked($0) : $0) })
                }
            case .failure:
                s.abandonReplay(reason: "history unavailable", snapshot: hub.snapshot(symbols), cursor: hub.cursor)
            }
        }
    }
}
