import EventHTTP
import Postgres
import Quotes

/// `GET /poll`: plain polling (`wait=0`) and long polling. A poll is answered
/// at once when the `ResumePlan` finds ticks (or a snapshot, or a reset), and
/// otherwise parked on the hub until ticks arrive or its wait ends. Delayed
/// symbols are read from the delayed hub; a poll mixing both kinds reads each
/// from its hub and answers with the pair cursor `"L:D"`.
struct PollRoute {
    unowned let context: ServerContext
    /// Most ticks in one poll answer (per hub); the cursor then points at the last one.
    static let limit = 1000

    func register(on router: Router) {
        router.register("/poll") { try self.poll($0, $1) }
    }

    private func poll(_ req: HTTPRequest, _ q: QueryParameters, caughtUp: Bool = false, released: Bool = false) throws {
        let config = context.config
        try q.requireOnly(["symbols", "since", "wait", "callback", "_", "token"])
        // JSONP ignores the cookie (docs/PROTOCOL.md): a `<script>` from any site sends it.
        let pass = try context.access.pass(req, q, cookie: try q.value("callback") == nil)
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: config.maxSymbolsPerRequest)
        let split = try pass.split(symbols)
        let since = try StreamCursor.parse(q.value("since"), name: "since")
        let wait = try RouteParameters.seconds(q.value("wait"), name: "wait", range: 0...config.maxPollWait, default: 0)
        let transport = PollTransport(callback: try RouteParameters.callback(q.value("callback")))
        let liveSince = split.kind == .delayed ? nil : since?.parts.live
        if !caughtUp, context.answerLater(req, since: liveSince, { try self.poll(req, q, caughtUp: true, released: released) }) { return }
        let delayedSince = split.kind == .live ? nil : since?.parts.delayed
        if !released, context.answerWhenReleased(req, since: delayedSince, { try self.poll(req, q, caughtUp: true, released: true) }) { return }
        transport.prepare(req)
        let delay = context.delayInfo(split)
        func answer(_ body: PollBody) {
            var body = body
            body.databaseDown = !context.pump.databaseUp
            body.delay = delay
            context.metrics.pollsAnswered += 1
            transport.answer(req, body)
        }
        if split.kind == .mixed { return pollMixed(req, split: split, since: since, wait: wait, transport: transport, answer: answer) }

        let isDelayed = split.kind == .delayed
        let hub = context.hub(delayed: isDelayed)
        let cursor = hub.cursor
        let after = since.map { isDelayed ? $0.parts.delayed : $0.parts.live }
        let plan = ResumePlan(since: after, cursor: cursor, logFloor: hub.log.floor)
        switch plan {
        case .fresh:
            answer(PollBody(cursor: StreamCursor(cursor), ticks: hub.snapshot(symbols), snapshot: true))
        case .unknownCursor:
            answer(PollBody(cursor: StreamCursor(cursor), ticks: [], reset: true))
        case .fromDatabase, .fromLog, .upToDate:
            missed(plan, since: after ?? cursor, symbols: symbols, hub: hub, fail: req) { ticks, next, synchronous in
                if !ticks.isEmpty || wait == 0 || !synchronous { return answer(PollBody(cursor: StreamCursor(next), ticks: ticks)) }
                park(req, transport: transport, symbols: symbols, hub: hub, wait: wait, delay: delay, mixed: nil)
            }
        }
    }

    /// A poll of live and delayed symbols: each hub answers for its part.
    private func pollMixed(_ req: HTTPRequest, split: SymbolSplit, since: StreamCursor?, wait: Int, transport: PollTransport,
                           answer: @escaping (PollBody) -> Void) {
        let liveHub = context.hub, delayedHub = context.hub(delayed: true)
        let server = StreamCursor(liveHub.cursor, delayed: delayedHub.cursor)
        guard let since else { return answer(PollBody(cursor: server, ticks: context.snapshot(split), snapshot: true)) }
        let (l, d) = since.parts
        let livePlan = ResumePlan(since: l, cursor: liveHub.cursor, logFloor: liveHub.log.floor)
        let delayedPlan = ResumePlan(since: d, cursor: delayedHub.cursor, logFloor: delayedHub.log.floor)
        if livePlan == .unknownCursor || delayedPlan == .unknownCursor { return answer(PollBody(cursor: server, ticks: [], reset: true)) }
        missed(livePlan, since: l, symbols: split.live, hub: liveHub, fail: req) { liveTicks, liveNext, liveNow in
            missed(delayedPlan, since: d, symbols: split.delayed, hub: delayedHub, fail: req) { delayedTicks, delayedNext, delayedNow in
                let ticks = liveTicks + delayedTicks
                if !ticks.isEmpty || wait == 0 || !(liveNow && delayedNow) {
                    return answer(PollBody(cursor: StreamCursor(liveNext, delayed: delayedNext), ticks: ticks))
                }
                park(req, transport: transport, symbols: split.live, hub: liveHub, wait: wait, delay: context.delayInfo(split),
                     mixed: (delayedHub, split.delayed))
            }
        }
    }

    /// The ticks of `symbols` after `since` from `hub`'s log or from
    /// PostgreSQL (up to the hub's cursor), at most a page; `done` gets them,
    /// the cursor to answer with (a full page's is its last tick, so the
    /// client comes back for more), and whether no query was needed (only
    /// then may the poll be parked: nothing was missed meanwhile).
    private func missed(_ plan: ResumePlan, since: Int64, symbols: [String], hub: TickHub, fail req: HTTPRequest,
                        _ done: @escaping ([EncodedTick], Int64, Bool) -> Void) {
        let cursor = hub.cursor
        func next(_ ticks: [EncodedTick]) -> Int64 { ticks.count == Self.limit ? ticks.last!.id : cursor }
        guard case .fromDatabase(let after) = plan else {
            let ticks = symbols.isEmpty ? [] : hub.log.ticks(after: since, limit: Self.limit) { symbols.contains($0) }
            return done(ticks, next(ticks), true)
        }
        context.metrics.replaysFromDatabase += 1
        let delayedHub = hub === context.delayed?.hub
        let params = [String(after), TickSQL.arrayLiteral(symbols), String(cursor), String(Self.limit)]
        context.queryDB.query(TickSQL.replay, params) { [unowned context] result in
            guard case .success(let r) = result else {
                return context.fail(req, 503, "history is unavailable right now; retry shortly")
            }
            let ticks = TickSQL.ticks(from: r).map { EncodedTick(delayedHub ? DelayedFeed.marked($0) : $0) }
            done(ticks, next(ticks), false)
        }
    }

    /// Parks a long poll. Headers go now, so that a client that leaves is noticed.
    /// A mixed poll also listens in the delayed hub, through a forwarding leg.
    private func park(_ req: HTTPRequest, transport: PollTransport, symbols: [String], hub: TickHub, wait: Int,
                      delay: ControlEvent.Delay?, mixed: (hub: TickHub, symbols: [String])?) {
        let peer = req.peer
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        guard let connection = req.connection else { return }
        req.startStream(writeTimeout: context.config.writeTimeoutSeconds)
        let w = LongPollTransport(request: req, symbols: symbols, callback: transport.callback)
        w.home = hub
        w.delay = delay
        if let mixed {
            let leg = ForwardingSubscriber(symbols: mixed.symbols, to: w)
            mixed.hub.add(leg)
            w.mixedCursor = { [unowned hub] in StreamCursor(hub.cursor, delayed: mixed.hub.cursor) }
            w.onDetach = { mixed.hub.remove(leg) }
        }
        w.onFinish = { [unowned context] w in
            context.untrack(connection, only: w)
            context.metrics.pollsParked -= 1
            if w.answered { context.metrics.pollsAnswered += 1 }
        }
        w.timer = context.loop.after(Double(wait)) { [weak w, unowned context] in
            guard let w else { return }
            w.expire(PollBody(cursor: w.cursorNow(), ticks: [], databaseDown: !context.pump.databaseUp))
        }
        context.track(w, on: connection, peer: peer)
        context.metrics.pollsParked += 1
    }
}
