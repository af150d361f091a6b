import EventHTTP
import Logging
import Quotes

/// `GET /ws?symbols=..[&since=..]`: the WebSocket transport. The handshake
/// (Origin checked against the CORS allow-list) takes the connection over;
/// from then on it is a `WebSocketSubscriber` on the hub, opened and resumed
/// by the same `ResumePlan` as streams. The client may change its symbols on
/// the open socket (`{"subscribe":[..]}`, `{"unsubscribe":[..]}`) and gets the
/// new symbols' snapshot. With authorisation on, a socket carries either
/// live or delayed symbols (its token decides), from that hub; a socket whose
/// token expires gets `token-expired` and close 1008. A socket mixing both
/// kinds is a `MixedStream` with pair cursors (WebSocketRoute+Mixed).
struct WebSocketRoute {
    unowned let context: ServerContext

    func register(on router: Router) {
        router.register("/ws") { try self.open($0, $1) }
    }

    private func open(_ req: HTTPRequest, _ q: QueryParameters, caughtUp: Bool = false, released: Bool = false) throws {
        let config = context.config
        try q.requireOnly(["symbols", "since", "token"])
        let pass = try context.access.pass(req, q)
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: config.maxSymbolsPerRequest)
        let split = try pass.split(symbols)
        let isDelayed = split.kind == .delayed
        let cursorGiven = try StreamCursor.parse(q.value("since"), name: "since")
        let since = cursorGiven.map { isDelayed ? $0.parts.delayed : $0.parts.live }
        // A server behind the client's cursor reads up to it first, as for streams.
        let liveSince = isDelayed ? nil : cursorGiven?.parts.live
        if !caughtUp, context.answerLater(req, since: liveSince, { try self.open(req, q, caughtUp: true, released: released) }) { return }
        let delayedSince = split.kind == .live ? nil : cursorGiven?.parts.delayed
        if !released, context.answerWhenReleased(req, since: delayedSince, { try self.open(req, q, caughtUp: true, released: true) }) { return }
        let peer = req.peer
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        let settings = WebSocketStream.Configuration(
            idleTimeout: 2.5 * config.heartbeatSeconds, writeTimeout: config.writeTimeoutSeconds)
        let stream: WebSocketStream
        switch WebSocketStream.upgrade(req, allowedOrigins: config.corsOrigins, configuration: settings) {
        case .failure(let rejection):
            for h in rejection.headers { req.setHeader(h.name, h.value) }
            context.logger.info("WebSocket handshake refused: \(rejection.reason)", metadata: ["comet.peer": "\(peer)"])
            return context.fail(req, rejection.status, rejection.reason)
        case .success(let s):
            stream = s
        }
        if split.kind == .mixed { return openMixed(stream, split: split, since: cursorGiven, pass: pass, peer: peer) }

        let hub = context.hub(delayed: isDelayed)
        let cursor = hub.cursor
        let plan = ResumePlan(since: since, cursor: cursor, logFloor: hub.log.floor)
        let w = WebSocketSubscriber(stream: stream, symbols: symbols, since: plan.missedAfter ?? cursor,
                                    replaying: plan.needsDatabase, outputLimit: config.streamOutputLimit)
        // Strong captures: the stream drops both handlers when it ends, which
        // breaks the cycle; the context may be gone by then (shutdown).
        w.home = hub
        stream.onEvent = { [weak context] event in context.map { WebSocketRoute(context: $0).handle(event, of: w, pass: pass) } }
        stream.onClosed = { [weak context] in
            if let context { context.socketClosed(w) } else { w.markClosed() }
        }
        context.track(socket: w, peer: peer)
        for event in context.openingEvents(plan, cursor: StreamCursor(cursor), symbols: symbols,
                                           snapshot: hub.snapshot(symbols), delay: context.delayInfo(split)) { w.send(event) }
        context.endOnExpiry(w, pass) { w in
            guard !w.isClosed else { return }
            w.send(.tokenExpired(cursor: StreamCursor(w.isLive ? hub.cursor : w.flow.lastID)))
            w.markClosed()
            w.stream.close(code: 1008, reason: "token expired")
        }
        context.sendMissed(w, plan: plan, symbols: symbols, upTo: cursor, from: hub)
        stream.start() // frames that came with the request, if any
    }

    /// A client message or a close we sent for a broken rule.
    private func handle(_ event: WebSocketConnection.Event, of w: WebSocketSubscriber, pass: Pass) {
        switch event {
        case .text(let text):
            switch SubscriptionChange.parse(text, maxSymbols: context.config.maxSymbolsPerRequest) {
            case .failure(let rejection): refuse(w, code: rejection.code, reason: rejection.reason)
            case .success(let change):
                if let problem = entitlementProblem(change, of: w, pass) { return refuse(w, code: 1008, reason: problem) }
                apply(change, to: w)
            }
        case .failed(let code, let reason):
            closed(code: code, reason: reason, peer: w.peer)
        case .pong, .closeReceived:
            break
        }
    }

    /// Why the token does not allow subscribing these symbols on this socket, if it does not.
    private func entitlementProblem(_ change: SubscriptionChange, of w: WebSocketSubscriber, _ pass: Pass) -> String? {
        guard case .subscribe(let symbols) = change else { return nil }
        let split: SymbolSplit
        do { split = try pass.split(symbols) } catch let e as TokenRefusal { return e.message } catch { return "refused" }
        let delayedSocket = w.home !== context.hub
        let other = delayedSocket ? split.live : split.delayed
        guard other.isEmpty else {
            return "\(other.joined(separator: ",")) \(delayedSocket ? "are live" : "are delayed") for this token; open another socket for them"
        }
        return nil
    }

    private func apply(_ change: SubscriptionChange, to w: WebSocketSubscriber) {
        let hub = w.home ?? context.hub
        switch change {
        case .subscribe(let symbols):
            if let problem = tooManySymbols(having: w.symbols, adding: symbols) { return refuse(w, code: 1008, reason: problem) }
            let added = hub.subscribe(w, to: symbols)
            // Every tick of the socket's symbols up to the cursor is out, unless
            // it is replaying or conflating: only then may the snapshot carry it.
            w.send(.snapshot(ticks: hub.snapshot(added), cursor: w.isLive ? StreamCursor(hub.cursor) : nil))
        case .unsubscribe(let symbols):
            hub.unsubscribe(w, from: symbols)
        }
    }

    private func refuse(_ w: WebSocketSubscriber, code: UInt16, reason: String) {
        w.markClosed()
        refuse(w.stream, peer: w.peer, code: code, reason: reason)
    }

    /// Closes a socket for a broken rule: one line in the log, counted by code.
    func refuse(_ stream: WebSocketStream, peer: String, code: UInt16, reason: String) {
        closed(code: code, reason: reason, peer: peer)
        stream.close(code: code, reason: String(reason.prefix(120)))
    }

    /// A close for a broken rule (ours, or the one wslay already sent): one line, counted by code.
    func closed(code: UInt16, reason: String, peer: String) {
        context.metrics.websocketCloses[code, default: 0] += 1
        context.logger.warning("WebSocket closed with \(code): \(reason)", metadata: ["comet.peer": "\(peer)"])
    }

    /// Why subscribing `symbols` on a socket that has `current` would pass
    /// the per-connection limit, if it would.
    func tooManySymbols(having current: some Collection<String>, adding symbols: [String]) -> String? {
        let max = context.config.maxSymbolsPerRequest
        let total = current.count + Set(symbols).filter { !current.contains($0) }.count
        return total <= max ? nil : "too many symbols (\(total)); at most \(max) per connection"
    }
}
