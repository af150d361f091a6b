import EventHTTP
import Quotes

/// `GET /stream`: opens a stream on one of the streaming transports, resumes
/// it from `since` or `Last-Event-ID` by the `ResumePlan`, and registers it
/// with the hub that serves its symbols: the live one, the delayed one, or
/// both (a `MixedStream`, whose cursor is a pair `L:D`).
struct StreamRoute {
    unowned let context: ServerContext

    func register(on router: Router) {
        router.register("/stream") { try self.open($0, $1) }
    }

    private func open(_ req: HTTPRequest, _ q: QueryParameters, caughtUp: Bool = false, released: Bool = false) throws {
        let config = context.config
        try q.requireOnly(["symbols", "since", "transport", "origin", "token"])
        let pass = try context.access.pass(req, q)
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: config.maxSymbolsPerRequest)
        let split = try pass.split(symbols)
        let format: WireFormat
        if let t = try q.value("transport") {
            guard let f = WireFormat(rawValue: t) else {
                throw QueryError("unknown transport '\(String(t.prefix(20)))'; use sse, xhr, iframe or multipart")
            }
            format = f
        } else {
            format = .sse
        }
        // The page's origin, for a forever frame that must post its events across origins.
        let origin = try q.value("origin")
        if let origin, !(config.corsOrigins.contains("*") || config.corsOrigins.contains(origin)) {
            throw QueryError("origin '\(String(origin.prefix(80)))' is not allowed; the server allows \(config.corsOrigins.joined(separator: ", ")) (see --cors-origin)")
        }
        // `since` wins over the header: a client that sets it knows what it wants.
        let since = try StreamCursor.parse(q.value("since"), name: "since")
            ?? StreamCursor.parse(req.header("Last-Event-ID"), name: "Last-Event-ID")
        let liveSince = split.kind == .delayed ? nil : since?.parts.live
        if !caughtUp, context.answerLater(req, since: liveSince, { try self.open(req, q, caughtUp: true, released: released) }) { return }
        let delayedSince = split.kind == .live ? nil : since?.parts.delayed
        if !released, context.answerWhenReleased(req, since: delayedSince, { try self.open(req, q, caughtUp: true, released: true) }) { return }
        let peer = req.peer
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        guard let connection = req.connection else { return }

        let transport = format.transport
        for (name, value) in transport.headers { req.setHeader(name, value) }
        req.startStream(writeTimeout: config.writeTimeoutSeconds)
        var opening = context.preambles[format]!
        if format == .iframe, let origin { opening += ForeverFrameTransport.targetOrigin(origin) }
        if split.kind == .mixed {
            return openMixed(req, connection: connection, peer: peer, format: format, split: split, since: since, pass: pass, opening: opening)
        }

        let isDelayed = split.kind == .delayed
        let hub = context.hub(delayed: isDelayed)
        let cursor = hub.cursor
        let plan = ResumePlan(since: since.map { isDelayed ? $0.parts.delayed : $0.parts.live }, cursor: cursor, logFloor: hub.log.floor)
        let s = StreamSubscriber(request: req, format: format, symbols: symbols, since: plan.missedAfter ?? cursor,
                                 replaying: plan.needsDatabase, outputLimit: config.streamOutputLimit)
        s.home = hub
        for event in context.openingEvents(plan, cursor: StreamCursor(cursor), symbols: symbols,
                                           snapshot: hub.snapshot(symbols), delay: context.delayInfo(split)) {
            transport.append(event, to: &opening)
        }
        s.open(opening)

        context.track(s, on: connection, peer: peer)
        context.metrics.streamsOpened[format, default: 0] += 1
        context.metrics.streamsOpen[format, default: 0] += 1
        context.endOnExpiry(s, pass) { [unowned context] s in
            let position = s.flow.isLive ? hub.cursor : s.flow.lastID
            context.end(s, on: connection, with: .tokenExpired(cursor: StreamCursor(position)))
        }

        context.sendMissed(s, plan: plan, symbols: symbols, upTo: cursor, from: hub)
    }

    /// A stream of live and delayed symbols (see `MixedStart`).
    private func openMixed(_ req: HTTPRequest, connection: ConnectionID, peer: String, format: WireFormat, split: SymbolSplit,
                           since: StreamCursor?, pass: Pass, opening: [UInt8]) {
        let output = StreamOutput(request: req, format: format)
        let start = MixedStart(context, output: output, split: split, since: since)
        let m = start.subscriber
        var opening = opening
        for event in start.openingEvents(context, split) { format.transport.append(event, to: &opening) }
        output.open(opening)
        context.track(m, on: connection, peer: peer)
        context.mixed[ObjectIdentifier(m)] = m
        m.attach()
        context.metrics.streamsOpened[format, default: 0] += 1
        context.metrics.streamsOpen[format, default: 0] += 1
        context.endOnExpiry(m, pass) { [unowned context] m in
            context.end(m, on: connection, with: .tokenExpired(cursor: m.position))
        }
        start.sendMissed(context, split)
    }
}
