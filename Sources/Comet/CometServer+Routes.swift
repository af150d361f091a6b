import CLibEvent
import Foundation
import Glibc
import Postgres
import Quotes

/// The HTTP routes of DESIGN.md §4. Every client mistake gets a 4xx with a
/// one-line JSON error; nothing a client sends reaches SQL except as a parameter.
extension CometServer {
    func route(_ req: HTTPRequest) {
        guard state == .running else {
            return fail(req, 503, "the server is shutting down; retry shortly")
        }
        applyCORS(req)
        if req.method == EVHTTP_REQ_OPTIONS {
            req.setHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
            req.setHeader("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control")
            req.setHeader("Access-Control-Max-Age", "600")
            return req.respond(204, "No Content", contentType: "text/plain", body: [])
        }
        guard req.uri.utf8.count <= 4096 else { return fail(req, 414, "the URL is longer than 4096 bytes") }
        do {
            let query = try QueryParameters(parsing: req.query)
            switch req.path {
            case "/stream": try openStream(req, query)
            case "/poll": try poll(req, query)
            case "/quotes": try quotes(req, query)
            case "/history": try history(req, query)
            case "/health": health(req)
            case "/metrics": metricsRoute(req)
            default: serveStatic(req)
            }
        } catch let e as QueryError {
            fail(req, 400, e.message)
        } catch {
            fail(req, 500, "internal error")
        }
    }

    func fail(_ req: HTTPRequest, _ status: Int32, _ message: String) {
        metrics.rejectedRequests += 1
        let reason: String
        switch status {
        case 400: reason = "Bad Request"
        case 404: reason = "Not Found"
        case 414: reason = "URI Too Long"
        case 503: reason = "Service Unavailable"; req.setHeader("Retry-After", "2")
        default: reason = "Error"
        }
        req.setHeader("Cache-Control", "no-store")
        req.respond(status, reason, contentType: "application/json", text: JSON.error(message) + "\n")
    }

    func json(_ req: HTTPRequest, _ body: String) {
        req.setHeader("Cache-Control", "no-cache")
        req.respond(200, "OK", contentType: "application/json", text: body)
    }

    private func applyCORS(_ req: HTTPRequest) {
        guard let origin = req.header("Origin") else { return }
        if config.corsOrigins.contains("*") {
            req.setHeader("Access-Control-Allow-Origin", "*")
        } else if config.corsOrigins.contains(origin) {
            req.setHeader("Access-Control-Allow-Origin", origin)
            req.setHeader("Vary", "Origin")
        }
    }

    // MARK: Streams

    private func openStream(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbols", "since", "transport"])
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
        // `since` wins over the header: a client that sets it knows what it wants.
        let since = try RouteParameters.cursor(q.value("since"), name: "since")
            ?? RouteParameters.cursor(req.header("Last-Event-ID"), name: "Last-Event-ID")
        let peer = req.peer
        if let refusal = refusal(peer: peer) { return fail(req, 503, refusal) }
        guard let evcon = req.connection else { return }

        for (name, value) in [("Content-Type", format.contentType), ("Cache-Control", "no-cache, no-transform"),
                              ("X-Accel-Buffering", "no"), ("X-Content-Type-Options", "nosniff")] {
            req.setHeader(name, value)
        }
        req.startStream(writeTimeout: config.writeTimeoutSeconds)
        let cursor = hub.cursor
        let resumeFrom = since.map { min($0, cursor) }
        let fromDatabase = resumeFrom.map { !hub.log.covers(since: $0) } ?? false
        let s = StreamSubscriber(request: req, format: format, symbols: symbols, since: resumeFrom ?? cursor,
                                 replaying: fromDatabase, outputLimit: config.streamOutputLimit)
        var opening = preambles[format]!
        format.appendEvent("hello", json: "{\"cursor\":\(cursor),\"heartbeat\":\(Int(config.heartbeatSeconds)),\"symbols\":[\(symbols.map(JSON.string).joined(separator: ","))]}", to: &opening)
        if let since, since > cursor {
            // A cursor from the future (another database, or a reset): start afresh.
            format.appendEvent("reset", json: "{\"reason\":\"unknown cursor\",\"cursor\":\(cursor)}", to: &opening)
        }
        if resumeFrom == nil || since! > cursor {
            format.appendEvent("snapshot", json: snapshotJSON(symbols), id: cursor, to: &opening)
        }
        s.send(opening)

        track(s, on: evcon, peer: peer)
        streams[ObjectIdentifier(s)] = s
        hub.add(s)
        metrics.streamsOpened[format, default: 0] += 1
        metrics.streamsOpen[format, default: 0] += 1

        guard let from = resumeFrom, from < cursor else { return }
        if !fromDatabase {
            s.finishReplay([]) // not replaying: send what the log holds
            let missed = hub.log.ticks(after: from) { symbols.contains($0) }
            if !missed.isEmpty { s.deliverReplay(missed) }
            return
        }
        metrics.replaysFromDatabase += 1
        queryDB.query(TickSQL.replay, [String(from), TickSQL.arrayLiteral(symbols), String(cursor), String(config.maxReplay + 1)]) { [weak self, weak s] result in
            guard let self, let s, !s.isClosed else { return }
            switch result {
            case .success(let r):
                let ticks = TickSQL.ticks(from: r)
                if ticks.count > self.config.maxReplay {
                    s.abandonReplay(reason: "more than \(self.config.maxReplay) ticks missed", snapshot: self.hub.snapshot(symbols), cursor: self.hub.cursor)
                } else {
                    s.finishReplay(ticks.map(EncodedTick.init))
                }
            case .failure:
                s.abandonReplay(reason: "history unavailable", snapshot: self.hub.snapshot(symbols), cursor: self.hub.cursor)
            }
        }
    }

    func snapshotJSON(_ symbols: [String]) -> String {
        "{\"ticks\":[" + hub.snapshot(symbols).map { String(decoding: $0.json, as: UTF8.self) }.joined(separator: ",") + "]}"
    }

    // MARK: Polling

    private func poll(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbols", "since", "wait", "callback", "_"])
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: config.maxSymbolsPerRequest)
        let since = try RouteParameters.cursor(q.value("since"), name: "since")
        let wait = try RouteParameters.seconds(q.value("wait"), name: "wait", range: 0...config.maxPollWait, default: 0)
        let callback = try RouteParameters.callback(q.value("callback"))
        let contentType = callback == nil ? "application/json" : "application/javascript; charset=utf-8"
        req.setHeader("X-Content-Type-Options", "nosniff")
        req.setHeader("Cache-Control", "no-cache, no-store")

        func answer(_ body: String) {
            metrics.pollsAnswered += 1
            req.respond(200, "OK", contentType: contentType, text: body)
        }
        let cursor = hub.cursor
        guard let since else {
            return answer(PollBody.render(cursor: cursor, ticks: hub.snapshot(symbols), callback: callback, extra: ",\"snapshot\":true"))
        }
        if since > cursor {
            return answer(PollBody.render(cursor: cursor, ticks: [], callback: callback, extra: ",\"reset\":true"))
        }
        let limit = 1000
        if !hub.log.covers(since: since) {
            metrics.replaysFromDatabase += 1
            queryDB.query(TickSQL.replay, [String(since), TickSQL.arrayLiteral(symbols), String(cursor), String(limit)]) { [weak self] result in
                guard let self else { return }
                guard case .success(let r) = result else {
                    return self.fail(req, 503, "history is unavailable right now; retry shortly")
                }
                let ticks = TickSQL.ticks(from: r).map(EncodedTick.init)
                let next = ticks.count == limit ? ticks.last!.id : cursor
                answer(PollBody.render(cursor: next, ticks: ticks, callback: callback))
            }
            return
        }
        let ticks = hub.log.ticks(after: since, limit: limit) { symbols.contains($0) }
        if !ticks.isEmpty || wait == 0 {
            let next = ticks.count == limit ? ticks.last!.id : cursor
            return answer(PollBody.render(cursor: next, ticks: ticks, callback: callback))
        }
        // Park it. Headers go now, so that a client that leaves is noticed.
        let peer = req.peer
        if let refusal = refusal(peer: peer) { return fail(req, 503, refusal) }
        guard let evcon = req.connection else { return }
        req.setHeader("Content-Type", contentType)
        req.startStream(writeTimeout: config.writeTimeoutSeconds)
        let w = PollWaiter(request: req, symbols: symbols, since: cursor, callback: callback)
        w.onFinish = { [unowned self] w in
            self.hub.remove(w)
            self.untrack(evcon, only: w)
            self.metrics.pollsParked -= 1
            if w.answered { self.metrics.pollsAnswered += 1 }
        }
        w.timer = loop.after(Double(wait)) { [weak w] in
            guard let w else { return }
            w.answer(cursor: since, ticks: [])
        }
        track(w, on: evcon, peer: peer)
        hub.add(w)
        metrics.pollsParked += 1
    }

    // MARK: Snapshot, history, health

    private func quotes(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbols"])
        let symbols = try RouteParameters.symbols(q.value("symbols"), max: 500)
        let body = symbols.compactMap { hub.latest[$0] }.map { String(decoding: $0.json, as: UTF8.self) }
        json(req, "{\"cursor\":\(hub.cursor),\"quotes\":[\(body.joined(separator: ","))]}")
    }

    private func history(_ req: HTTPRequest, _ q: QueryParameters) throws {
        try q.requireOnly(["symbol", "from", "to", "interval", "limit"])
        let symbol = try RouteParameters.symbols(q.value("symbol"), max: 1, name: "symbol")[0]
        let from = try RouteParameters.time(q.value("from"), name: "from")
        let to = try RouteParameters.time(q.value("to"), name: "to")
        let interval = try RouteParameters.interval(q.value("interval"))
        let limit = try RouteParameters.seconds(q.value("limit"), name: "limit", range: 1...10_000, default: 1000)
        let query = HistoryQuery(symbol: symbol, from: from, to: to, interval: interval, limit: limit)
        queryDB.query(query.sql, query.parameters) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let r): self.json(req, query.render(r))
            case .failure(let e) where e.sqlState?.hasPrefix("22") == true:
                self.fail(req, 400, "bad time range: \(e.message.split(separator: "\n").first ?? "")")
            case .failure:
                self.fail(req, 503, "history is unavailable right now; retry shortly")
            }
        }
    }

    private func health(_ req: HTTPRequest) {
        let up = listenDB.isReady
        json(req, "{\"status\":\"\(up ? "ok" : "degraded")\",\"database\":\(up),\"cursor\":\(hub.cursor),\"connections\":\(active.count),\"pid\":\(getpid())}")
    }

    private func metricsRoute(_ req: HTTPRequest) {
        var m = metrics
        m.conflatedTicks += streams.values.reduce(0) { $0 + $1.conflations }
        req.respond(200, "OK", contentType: "text/plain; version=0.0.4",
                    text: m.render(hub: hub, databaseReconnects: listenDB.reconnects + queryDB.reconnects,
                                   databaseUp: listenDB.isReady, acceptPauses: http.acceptPauses))
    }

    private func serveStatic(_ req: HTTPRequest) {
        guard let files = staticFiles, let (body, type) = files.file(for: req.path) else {
            return fail(req, 404, "no such route or file: \(String(req.path.prefix(80))); routes are /stream /poll /quotes /history /health /metrics")
        }
        req.setHeader("Cache-Control", "no-cache")
        req.setHeader("X-Content-Type-Options", "nosniff")
        req.respond(200, "OK", contentType: type, body: body)
    }
}
