import EventHTTP
import Quotes

/// A WebSocket whose token makes some of its symbols live and some delayed:
/// a `MixedStream` over the socket, ids `L:D`, started by `MixedStart`.
/// `subscribe` puts each symbol in the leg its token gives it.
extension WebSocketRoute {
    func openMixed(_ stream: WebSocketStream, split: SymbolSplit, since: StreamCursor?, pass: Pass, peer: String) {
        let start = MixedStart(context, output: SocketOutput(stream: stream), split: split, since: since)
        let m = start.subscriber
        stream.onEvent = { [weak context] event in context.map { WebSocketRoute(context: $0).handle(event, of: m, pass: pass) } }
        stream.onClosed = { [weak context] in
            if let context { context.mixedSocketClosed(m) } else { m.markClosed() }
        }
        context.track(mixedSocket: m, peer: peer)
        for event in start.openingEvents(context, split) { m.send(event) }
        context.endOnExpiry(m, pass) { m in m.close(with: .tokenExpired(cursor: m.position)) }
        start.sendMissed(context, split)
        stream.start()
    }

    /// A client message on a mixed socket, or a close we sent.
    private func handle(_ event: WebSocketConnection.Event, of m: MixedStream, pass: Pass) {
        guard case .text(let text) = event, let output = m.output as? SocketOutput else {
            if case .failed(let code, let reason) = event { closed(code: code, reason: reason, peer: m.peer) }
            return
        }
        let change: SubscriptionChange
        switch SubscriptionChange.parse(text, maxSymbols: context.config.maxSymbolsPerRequest) {
        case .failure(let rejection):
            m.markClosed()
            return refuse(output.stream, peer: m.peer, code: rejection.code, reason: rejection.reason)
        case .success(let c): change = c
        }
        switch change {
        case .subscribe(let symbols):
            let split: SymbolSplit
            do { split = try pass.split(symbols) } catch {
                m.markClosed()
                return refuse(output.stream, peer: m.peer, code: 1008, reason: (error as? TokenRefusal)?.message ?? "refused")
            }
            if let problem = tooManySymbols(having: m.live.symbols + m.delayed.symbols, adding: symbols) {
                m.markClosed()
                return refuse(output.stream, peer: m.peer, code: 1008, reason: problem)
            }
            let addedLive = m.live.hub.subscribe(m.live, to: split.live)
            let addedDelayed = m.delayed.hub.subscribe(m.delayed, to: split.delayed)
            let ticks = (m.live.hub.snapshot(addedLive) + m.delayed.hub.snapshot(addedDelayed)).sorted { $0.id < $1.id }
            m.send(.snapshot(ticks: ticks, cursor: m.isLive ? m.serverCursor : nil))
        case .unsubscribe(let symbols):
            m.live.hub.unsubscribe(m.live, from: symbols)
            m.delayed.hub.unsubscribe(m.delayed, from: symbols)
        }
    }
}
