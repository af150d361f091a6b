/// Delivering ticks and forgetting clients.
extension BayeuxEngine {
    // MARK: Ticks

    /// Sends a client's queued ticks where they can go now: its WebSocket, or
    /// its held connect; otherwise they wait for its next connect.
    func flush(_ c: BayeuxClient) {
        guard !c.isGone else { return }
        if c.outbox.overflowed { return forget(c, error: BayeuxError(402, "", "too many undelivered ticks; handshake again and resume")) }
        if c.outbox.isEmpty { return }
        if let ws = c.socket, ws.isOpen {
            // A reader that is behind keeps its ticks here (bounded by the
            // outbox's limit) instead of in the socket's buffer.
            guard ws.stream.pendingOutput <= context.config.streamOutputLimit else { return }
            c.pushedOn = ObjectIdentifier(ws)
            ws.send(deliveries(c.outbox.take()))
        } else if c.held != nil, c.session.shouldAnswerHeld(), !(c.held!.link.pushes) {
            answerHeld(c, changingState: true)
        }
    }

    func deliveries(_ ticks: [EncodedTick]) -> [String] {
        registry.delivered(ticks.count)
        return ticks.map { t in
            let key = t.tick.delayed ? -t.id : t.id  // the delayed hub frames the same id with "delayed":true
            if let text = rendered[key] { return text }
            if rendered.count >= 4096 { rendered.removeAll(keepingCapacity: true) }
            let text = BayeuxReply.delivery(t)
            rendered[key] = text
            return text
        }
    }

    // MARK: Forgetting

    /// Forgets a client: off the hub, its held connect told to handshake.
    func forget(_ c: BayeuxClient, error: BayeuxError? = nil, expired: Bool = true) {
        if let error { answerHeld(c, changingState: true, error: error) } else { release(c) }
        registry.remove(c.id, expired: expired)
        hub(c).remove(c)
        c.expiry = nil
    }

    func sweep() {
        for c in registry.expiredClients(now: now) { forget(c, error: BayeuxError(402, "", "unknown client")) }
    }
}
