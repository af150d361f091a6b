import EventHTTP
import Quotes

/// `GET /stream`: opens a stream on one of the streaming transports, resumes
/// it from `since` or `Last-Event-ID` by the `ResumePlan`, and registers it
/// with the hub.
struct StreamRoute {
    unowned let context: ServerContext

    func register(on router: Router) {
        router.register("/stream") { try self.open($0, $1) }
    }

    private func open(_ req: HTTPRequest, _ q: QueryParameters, caughtUp: Bool = false) throws {
        let config = context.config
        try q.requireOnly(["symbols", "since", "transport", "origin"])
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: config.maxSymbolsPerRequest)
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
        let since = try RouteParameters.cursor(q.value("since"), name: "since")
            ?? RouteParameters.cursor(req.header("Last-Event-ID"), name: "Last-Event-ID")
        if !caughtUp, context.answerLater(req, since: since, { try self.open(req, q, caughtUp: true) }) { return }
        let peer = req.peer
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        guard let connection = req.connection else { return }

        let hub = context.hub
        let transport = format.transport
        for (name, value) in transport.headers { req.setHeader(name, value) }
        req.startStream(writeTimeout: config.writeTimeoutSeconds)
        let cursor = hub.cursor
        let plan = ResumePlan(since: since, cursor: cursor, logFloor: hub.log.floor)
        let s = StreamSubscriber(request: req, format: format, symbols: symbols, since: plan.missedAfter ?? cursor,
                                 replaying: plan.needsDatabase, outputLimit: config.streamOutputLimit)
        var opening = context.preambles[format]!
        if format == .iframe, let origin { opening += ForeverFrameTransport.targetOrigin(origin) }
        for event in context.openingEvents(plan, cursor: cursor, symbols: symbols) { transport.append(event, to: &opening) }
        s.open(opening)

        context.track(s, on: connection, peer: peer)
        context.metrics.streamsOpened[format, default: 0] += 1
        context.metrics.streamsOpen[format, default: 0] += 1

        context.sendMissed(s, plan: plan, symbols: symbols, upTo: cursor)
    }
}
