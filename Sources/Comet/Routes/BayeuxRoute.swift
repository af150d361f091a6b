import EventHTTP
import Quotes

/// `/cometd`: Bayeux 1.0 (docs/BAYEUX.md). `POST` with a JSON body is
/// long-polling; `GET` with `message` (the JSON) and `jsonp` (a callback
/// name) is callback-polling, for `<script>` tags from any origin; a `GET`
/// that asks to upgrade is the WebSocket transport. All three hand their
/// batches to the server's `BayeuxEngine`.
struct BayeuxRoute {
    unowned let context: ServerContext
    static let cookie = "BAYEUX_BROWSER"

    /// CometD's JavaScript client appends the message type to the URL by
    /// default (`appendMessageTypeToURL`): `/cometd/connect` is `/cometd`.
    static let paths = ["/cometd"] + ["handshake", "connect", "subscribe", "unsubscribe", "disconnect"].map { "/cometd/" + $0 }

    func register(on router: Router) {
        for path in Self.paths { router.register(path, methods: [.get, .post]) { try self.handle($0, $1) } }
    }

    private func handle(_ req: HTTPRequest, _ q: QueryParameters) throws {
        if context.relayBayeux(req) { return }
        let browser = self.browser(req)
        if req.method == .get, req.header("Upgrade")?.lowercased() == "websocket" { return upgrade(req, browser: browser) }
        let bytes: [UInt8]
        let link: BayeuxHTTPLink
        if req.method == .post {
            try q.requireOnly(["jsonp", "_"])
            link = BayeuxHTTPLink(request: req, callback: try RouteParameters.callback(q.value("jsonp")))
            bytes = req.body
        } else {
            try q.requireOnly(["message", "jsonp", "_"])
            guard let message = try q.value("message") else {
                throw QueryError("missing 'message': callback-polling sends the Bayeux messages as ?message=[...]&jsonp=NAME")
            }
            link = BayeuxHTTPLink(request: req, callback: try RouteParameters.callback(q.value("jsonp") ?? "jsonpcallback"))
            bytes = Array(message.utf8)
        }
        let engine = context.bayeux
        switch BayeuxMessage.batch(bytes, maxMessages: context.config.bayeux.maxMessagesPerRequest) {
        case .failure(let e):
            throw QueryError(e.message)
        case .success(let batch):
            link.prepare()
            let browser = browser ?? newBrowser(req, batch)
            // Callback-polling ignores the cookie: a `<script>` from any site sends it.
            let token = Self.token(req, cookie: link.callback == nil)
            engine.handle(batch, on: link, peer: context.clientAddress(req), browser: browser, headerToken: token)
        }
    }

    /// A token sent with the request itself (#16): `Authorization: Bearer`, or
    /// the `ticker_token` cookie unless `cookie` is false (JSONP).
    static func token(_ req: HTTPRequest, cookie: Bool = true) -> String? {
        BearerToken.find(authorization: req.header("Authorization"), query: nil, cookie: cookie ? req.header("Cookie") : nil)
    }

    /// The `BAYEUX_BROWSER` cookie: one value per browser, shared by its tabs.
    private func browser(_ req: HTTPRequest) -> String? {
        guard let header = req.header("Cookie") else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.filter { $0 != " " } }
            if pair.count == 2, pair[0] == Self.cookie, !pair[1].isEmpty, pair[1].utf8.count <= 64 { return pair[1] }
        }
        return nil
    }

    /// Sets the cookie on a handshake that came without it, as CometD does.
    private func newBrowser(_ req: HTTPRequest, _ batch: [Result<BayeuxMessage, BayeuxMessage.Refusal>]) -> String? {
        guard batch.contains(where: { (try? $0.get())?.channel == "/meta/handshake" }) else { return nil }
        let value = String(BayeuxRegistry.newID().prefix(32))
        req.setHeader("Set-Cookie", "\(Self.cookie)=\(value); Path=/; HttpOnly")
        return value
    }

    private func upgrade(_ req: HTTPRequest, browser: String?) {
        let config = context.config
        let peer = context.clientAddress(req)
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        var settings = WebSocketStream.Configuration(idleTimeout: 2.5 * config.heartbeatSeconds, writeTimeout: config.writeTimeoutSeconds)
        settings.idleTimeout = max(settings.idleTimeout, config.bayeux.connectTimeoutSeconds * 2)
        settings.connection.maxMessageBytes = config.bayeux.maxMessageBytes
        let stream: WebSocketStream
        let connection = req.connection
        switch WebSocketStream.upgrade(req, allowedOrigins: config.corsOrigins, configuration: settings) {
        case .failure(let rejection):
            for h in rejection.headers { req.setHeader(h.name, h.value) }
            return context.fail(req, rejection.status, rejection.reason)
        case .success(let s):
            stream = s
            context.forgetRelayedPeer(connection)
        }
        let ws = BayeuxWebSocket(stream: stream, peer: peer, browser: browser)
        ws.headerToken = Self.token(req)
        context.track(bayeuxSocket: ws)
        // Strong captures: the stream drops both handlers when it ends.
        stream.onEvent = { [weak context] event in context.map { BayeuxRoute(context: $0).handle(event, of: ws) } }
        stream.onClosed = { [weak context] in context?.bayeuxSocketClosed(ws) }
        stream.start()
    }

    private func handle(_ event: WebSocketConnection.Event, of ws: BayeuxWebSocket) {
        switch event {
        case .text(let text):
            switch BayeuxMessage.batch(Array(text.utf8), maxMessages: context.config.bayeux.maxMessagesPerRequest) {
            case .failure(let e):
                context.metrics.websocketCloses[1008, default: 0] += 1
                ws.close(code: 1008, reason: String(e.message.prefix(120)))
            case .success(let batch):
                context.bayeux.handle(batch, on: ws, peer: ws.peer, browser: ws.browser, headerToken: ws.headerToken)
            }
        case .failed(let code, _):
            context.metrics.websocketCloses[code, default: 0] += 1
        case .pong, .closeReceived:
            break
        }
    }
}
