import EventHTTP
import Platform
import Quotes

/// The Bayeux server: takes a batch of messages from any transport's link,
/// answers the meta channels, holds connects, and flushes each client's
/// ticks to its held connect (HTTP) or its open WebSocket. The transports
/// only read requests and frames; everything Bayeux means is decided here
/// and in the plain values it drives (`BayeuxSession`, `BayeuxOutbox`).
///
/// Loop thread only.
final class BayeuxEngine {
    unowned let context: ServerContext
    let config: BayeuxConfiguration
    var registry = BayeuxRegistry()
    /// Connects held open right now (for `/metrics`).
    private(set) var heldCount = 0
    private var sweepTimer: LoopEvent?
    /// Open Bayeux WebSockets (`ServerContext.track(bayeuxSocket:)`).
    var sockets: [ObjectIdentifier: BayeuxWebSocket] = [:]
    private(set) lazy var publisher = BayeuxPublisher(context: context)
    /// Clients ended because their token expired, so that their next message
    /// hears why (bounded: cleared past 10,000).
    var expiredByToken: Set<String> = []
    /// Recent ticks' delivery texts, made once for all the clients of a wake-up.
    var rendered: [Int64: String] = [:]

    init(context: ServerContext) {
        self.context = context
        config = context.config.bayeux
    }

    func start() {
        let every = max(0.5, min(5, config.maxIdleSeconds / 4))
        sweepTimer = context.loop.every(every) { [unowned self] in self.sweep() }
    }

    var now: Double { MonotonicClock.now() }

    // MARK: Batches

    /// Answers one request or frame. Non-connect messages are answered in
    /// order; a `/meta/connect` (one per batch) comes last, and on HTTP the
    /// other replies wait for it, in one response.
    /// - Parameter headerToken: the request's `Authorization` bearer token or
    ///   `ticker_token` cookie, for a handshake without `ext.ticker.token`.
    func handle(_ batch: [Result<BayeuxMessage, BayeuxMessage.Refusal>], on link: BayeuxLink, peer: String, browser: String?,
                headerToken: String? = nil) {
        var replies: [String] = []
        var connect: BayeuxMessage?
        for item in batch {
            switch item {
            case .failure(let r):
                replies.append(failure((r.channel, r.id), r.error))
            case .success(let m) where m.channel == "/meta/connect":
                if connect == nil { connect = m } else {
                    replies.append(failure(m, BayeuxError(400, "", "one /meta/connect per request")))
                }
            case .success(let m):
                replies.append(dispatch(m, on: link, peer: peer, browser: browser, headerToken: headerToken))
            }
        }
        guard let connect else { return link.send(replies) }
        if link.pushes, !replies.isEmpty { link.send(replies); replies = [] }
        self.connect(connect, on: link, replies: replies)
    }

    private func dispatch(_ m: BayeuxMessage, on link: BayeuxLink, peer: String, browser: String?, headerToken: String?) -> String {
        switch m.channel {
        case "/meta/handshake": return handshake(m, peer: peer, browser: browser, headerToken: headerToken)
        case "/meta/subscribe": return withClient(m, link) { subscribe(m, $0) }
        case "/meta/unsubscribe": return withClient(m, link) { unsubscribe(m, $0) }
        case "/meta/disconnect": return withClient(m, link) { disconnect(m, $0) }
        case let c where c.hasPrefix("/meta/"):
            return failure(m, BayeuxError(400, String(c.prefix(60)), "unknown meta channel"))
        case let c where c.hasPrefix("/service/"):
            return withClient(m, link) { _ in failure(m, BayeuxError(404, String(c.prefix(60)), "no services on this server")) }
        default: return withClient(m, link) { publisher.publish(m, by: $0) }
        }
    }

    /// Runs `body` with the message's client, or answers that it must handshake.
    func withClient(_ m: BayeuxMessage, _ link: BayeuxLink, _ body: (BayeuxClient) -> String) -> String {
        guard let id = m.clientId else {
            return failure(m, BayeuxError(402, "", "missing clientId; handshake first"), advice: .handshake)
        }
        guard let c = registry.client(id) else {
            if expiredByToken.contains(id) { return failure(m, Self.tokenExpired, advice: .handshake) }
            return failure(m, BayeuxError(402, String(id.prefix(60)), "unknown client"), advice: .handshake)
        }
        c.session.heard(now: now)
        if let ws = link as? BayeuxWebSocket { c.socket = ws }
        return body(c)
    }

    func failure(_ m: BayeuxMessage, _ error: BayeuxError, advice: BayeuxReply.Advice? = nil,
                 _ fields: (inout JSONWriter) -> Void = { _ in }) -> String {
        failure((m.channel, m.id), error, advice: advice, fields)
    }

    func failure(_ request: (channel: String, id: String?), _ error: BayeuxError, advice: BayeuxReply.Advice? = nil,
                 _ fields: (inout JSONWriter) -> Void = { _ in }) -> String {
        registry.failed()
        return BayeuxReply.failure(request, error, advice: advice, fields)
    }

    var connectAdvice: BayeuxReply.Advice {
        BayeuxReply.Advice(timeout: Int(config.connectTimeoutSeconds * 1000))
    }

    // MARK: Connects

    private func connect(_ m: BayeuxMessage, on link: BayeuxLink, replies: [String]) {
        // The same checks as every message (clientId given and known); "" when they pass.
        let refusal = withClient(m, link) { _ in "" }
        guard refusal.isEmpty, let c = registry.client(m.clientId) else { return link.send(replies + [refusal]) }
        switch Self.since(m) {
        case .failure(let e): return link.send(replies + [failure(m, e, advice: connectAdvice)])
        case .success(let acked?):
            guard c.outbox.acknowledge(upTo: acked, resend: !(link.pushes && c.pushedOn == ObjectIdentifier(link))) else {
                forget(c)
                return link.send(replies + [failure(m, BayeuxError(402, "", "unacknowledged ticks were dropped; handshake again and resume"),
                                                    advice: .handshake)])
            }
        case .success(nil): break
        }
        if link.pushes { flush(c) }
        let asked = m.adviceTimeout.map { Double($0) / 1000 }
        switch c.session.connect(now: now, waiting: !c.outbox.isEmpty && !link.pushes, asked: asked) {
        case .refuse:
            link.send(replies + [failure(m, BayeuxError(402, "", "client disconnected"), advice: .handshake)])
        case .answerNow:
            link.send(deliveries(link.pushes ? [] : c.outbox.take()) + replies + [connectReply(m, c)])
        case .answerHeldAndAnswer:
            answerHeld(c, changingState: false)
            link.send(deliveries(link.pushes ? [] : c.outbox.take()) + replies + [connectReply(m, c)])
        case .hold(let seconds):
            hold(c, m, on: link, replies: replies, seconds: seconds)
        case .answerHeldAndHold(let seconds):
            answerHeld(c, changingState: false)
            hold(c, m, on: link, replies: replies, seconds: seconds)
        }
    }

    private func connectReply(_ m: BayeuxMessage, _ c: BayeuxClient, advice: BayeuxReply.Advice? = nil) -> String {
        BayeuxReply.reply(to: m, clientId: c.id, advice: advice ?? connectAdvice)
    }

    private func hold(_ c: BayeuxClient, _ m: BayeuxMessage, on link: BayeuxLink, replies: [String], seconds: Double) {
        if let http = link as? BayeuxHTTPLink {
            // Several tabs of one browser each holding a connect would use up
            // its few connections per host: the extra ones poll instead.
            if let browser = c.browser, registry.held(in: browser) >= config.maxConnectsPerBrowser {
                c.session.heldAnswered(now: now)
                var advice = connectAdvice
                advice.multipleClients = true
                advice.interval = config.multipleClientsIntervalMilliseconds
                return link.send(replies + [connectReply(m, c, advice: advice)])
            }
            if let refusal = context.admission.refusal(peer: c.peer) {
                c.session.heldAnswered(now: now)
                return link.send(replies + [failure(m, BayeuxError(503, "", refusal), advice: connectAdvice)])
            }
            guard let connection = http.request.connection else { return c.session.heldAnswered(now: now) }
            http.hold(writeTimeout: context.config.writeTimeoutSeconds)
            registry.holding(c.browser, 1)
            heldCount += 1
            http.onFinish = { [unowned self, weak c] link in
                self.context.untrack(connection, only: link)
                self.registry.holding(c?.browser, -1)
                self.heldCount -= 1
                if let c, c.held?.link === link { self.release(c) }
            }
            context.track(http, on: connection, peer: c.peer)
        } else {
            heldCount += 1
        }
        c.held = (link, (m.channel, m.id), replies)
        c.heldTimer = context.loop.after(seconds) { [unowned self, weak c] in
            if let c { self.answerHeld(c, changingState: true) }
        }
    }

    /// Answers the held connect with the queued ticks (on HTTP) and the replies
    /// that waited for it. `changingState` is false when a newer connect takes its place.
    func answerHeld(_ c: BayeuxClient, changingState: Bool, error: BayeuxError? = nil) {
        guard let h = c.held else { return }
        let link = h.link
        release(c, changingState: changingState)
        // A client being forgotten gets no ticks: it resumes after its new handshake.
        let ticks = link.pushes || error != nil ? [] : c.outbox.take()
        let reply = error.map { failure(h.request, $0, advice: .handshake) }
            ?? BayeuxReply.reply(to: h.request, clientId: c.id, successful: true, advice: connectAdvice)
        link.send(deliveries(ticks) + h.replies + [reply])
    }

    /// Forgets the held connect (answered, replaced, or its client left).
    func release(_ c: BayeuxClient, changingState: Bool = true) {
        guard let h = c.held else { return }
        c.held = nil
        c.heldTimer = nil
        if !(h.link is BayeuxHTTPLink) { heldCount -= 1 } // HTTP links count down in onFinish
        if changingState { c.session.heldAnswered(now: now) }
    }

    /// A WebSocket closed: its held connect, if any, is gone with it.
    func socketClosed(_ ws: BayeuxWebSocket) {
        for c in registry.clients.values where c.held?.link === ws { release(c) }
    }

    /// Shutdown: held connects answer (clients will find this server gone and handshake again elsewhere).
    func drain() {
        sweepTimer = nil
        for c in registry.clients.values where c.held != nil { answerHeld(c, changingState: true) }
        for ws in sockets.values { ws.close(code: 1001, reason: "server shutting down") }
        sockets.removeAll()
        publisher.close()
    }

    var metricsText: String { registry.metricsText(held: heldCount, sockets: sockets.count) }
}
