import EventHTTP
import Postgres
import Quotes

/// `GET /poll`: plain polling (`wait=0`) and long polling. A poll is answered
/// at once when the `ResumePlan` finds ticks (or a snapshot, or a reset), and
/// otherwise parked on the hub until ticks arrive or its wait ends.
struct PollRoute {
    unowned let context: ServerContext
    /// Most ticks in one poll answer; the cursor then points at the last one.
    static let limit = 1000

    func register(on router: Router) {
        router.register("/poll") { try self.poll($0, $1) }
    }

    private func poll(_ req: HTTPRequest, _ q: QueryParameters, caughtUp: Bool = false) throws {
        let config = context.config
        try q.requireOnly(["symbols", "since", "wait", "callback", "_"])
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: config.maxSymbolsPerRequest)
        let since = try RouteParameters.cursor(q.value("since"), name: "since")
        let wait = try RouteParameters.seconds(q.value("wait"), name: "wait", range: 0...config.maxPollWait, default: 0)
        let transport = PollTransport(callback: try RouteParameters.callback(q.value("callback")))
        if !caughtUp, context.answerLater(req, since: since, { try self.poll(req, q, caughtUp: true) }) { return }
        transport.prepare(req)

        let hub = context.hub
        let cursor = hub.cursor
        func answer(_ body: PollBody) {
            var body = body
            body.databaseDown = !context.pump.databaseUp
            context.metrics.pollsAnswered += 1
            transport.answer(req, body)
        }
        /// A page of missed ticks; a full page's cursor is its last tick, so the client comes back for more.
        func page(_ ticks: [EncodedTick]) -> PollBody {
            PollBody(cursor: ticks.count == Self.limit ? ticks.last!.id : cursor, ticks: ticks)
        }
        switch ResumePlan(since: since, cursor: cursor, logFloor: hub.log.floor) {
        case .fresh:
            answer(PollBody(cursor: cursor, ticks: hub.snapshot(symbols), snapshot: true))
        case .unknownCursor:
            answer(PollBody(cursor: cursor, ticks: [], reset: true))
        case .fromDatabase(let after):
            context.metrics.replaysFromDatabase += 1
            let params = [String(after), TickSQL.arrayLiteral(symbols), String(cursor), String(Self.limit)]
            context.queryDB.query(TickSQL.replay, params) { [unowned context] result in
                guard case .success(let r) = result else {
                    return context.fail(req, 503, "history is unavailable right now; retry shortly")
                }
                answer(page(TickSQL.ticks(from: r).map(EncodedTick.init)))
            }
        case .fromLog, .upToDate:
            let ticks = hub.log.ticks(after: since ?? cursor, limit: Self.limit) { symbols.contains($0) }
            if !ticks.isEmpty || wait == 0 { return answer(page(ticks)) }
            park(req, transport: transport, symbols: symbols, wait: wait)
        }
    }

    /// Parks a long poll. Headers go now, so that a client that leaves is noticed.
    private func park(_ req: HTTPRequest, transport: PollTransport, symbols: [String], wait: Int) {
        let peer = req.peer
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        guard let connection = req.connection else { return }
        req.startStream(writeTimeout: context.config.writeTimeoutSeconds)
        let w = LongPollTransport(request: req, symbols: symbols, callback: transport.callback)
        w.onFinish = { [unowned context] w in
            context.untrack(connection, only: w)
            context.metrics.pollsParked -= 1
            if w.answered { context.metrics.pollsAnswered += 1 }
        }
        w.timer = context.loop.after(Double(wait)) { [weak w, unowned context] in
            w?.expire(PollBody(cursor: context.hub.cursor, ticks: [], databaseDown: !context.pump.databaseUp))
        }
        context.track(w, on: connection, peer: peer)
        context.metrics.pollsParked += 1
    }
}
