import Postgres

/// How a new stream or WebSocket starts, whatever its framing: the events it
/// opens with and the ticks it missed, by its `ResumePlan`.
extension ServerContext {
    /// `hello`, then `reset` for a cursor beyond the database's, then the
    /// snapshot unless the client is resuming.
    func openingEvents(_ plan: ResumePlan, cursor: Int64, symbols: [String]) -> [ControlEvent] {
        var events: [ControlEvent] = [.hello(cursor: cursor, heartbeatSeconds: Int(config.heartbeatSeconds),
                                             symbols: symbols, databaseUp: pump.databaseUp)]
        // A cursor from the future (another database, or a reset): start afresh.
        if plan == .unknownCursor { events.append(.reset(reason: "unknown cursor", cursor: cursor)) }
        if plan.needsSnapshot { events.append(.snapshot(ticks: hub.snapshot(symbols), cursor: cursor)) }
        return events
    }

    /// Sends what a resuming subscriber missed: from the in-memory log, or
    /// replayed from PostgreSQL (too much, or no history, and it is told to
    /// start afresh).
    func sendMissed(_ s: some ReplayTarget, plan: ResumePlan, symbols: [String], upTo cursor: Int64) {
        switch plan {
        case .fromLog(let after):
            s.deliverMissed(hub.log.ticks(after: after) { symbols.contains($0) })
        case .fromDatabase(let after):
            replay(s, symbols: symbols, after: after, upTo: cursor)
        case .fresh, .unknownCursor, .upToDate:
            break
        }
    }

    private func replay(_ s: some ReplayTarget, symbols: [String], after: Int64, upTo cursor: Int64) {
        let max = config.maxReplay
        metrics.replaysFromDatabase += 1
        let params = [String(after), TickSQL.arrayLiteral(symbols), String(cursor), String(max + 1)]
        queryDB.query(TickSQL.replay, params) { [weak s, unowned self] result in
            guard let s, !s.isClosed else { return }
            switch result {
            case .success(let r):
                let ticks = TickSQL.ticks(from: r)
                if ticks.count > max {
                    s.abandonReplay(reason: "more than \(max) ticks missed", snapshot: hub.snapshot(symbols), cursor: hub.cursor)
                } else {
                    s.finishReplay(ticks.map(EncodedTick.init))
                }
            case .failure:
                s.abandonReplay(reason: "history unavailable", snapshot: hub.snapshot(symbols), cursor: hub.cursor)
            }
        }
    }
}
