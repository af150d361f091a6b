import EventHTTP
import Logging
import Postgres
import Quotes

/// Everything that exists only while the server runs: the hub, the cursor
/// pump, the query connection, the long-lived responses and their admission,
/// the counters. The routes and transports work through it.
///
/// Loop thread only.
final class ServerContext {
    let config: CometConfiguration
    let logger: Logger
    let loop: EventLoop
    let http: HTTPServer
    let hub: TickHub
    let pump: CursorPump
    /// History, replays: everything but the cursor's own reads.
    let queryDB: DatabaseDriver
    var metrics = Metrics()
    /// Tokens and entitlements (open without `--auth-key-file`).
    let access: AccessControl
    /// The delayed view, when authorisation is on (tokens may grant delayed symbols).
    let delayed: DelayedFeed?
    /// Streams mixing live and delayed symbols.
    var mixed: [ObjectIdentifier: MixedStream] = [:]
    private(set) var admission: Admission
    /// The long-lived response on each connection (a stream or a parked poll).
    private var active: [ConnectionID: TickSubscriber] = [:]
    private(set) var streams: [ObjectIdentifier: StreamSubscriber] = [:]
    /// Open WebSockets. Not in `active`: a taken-over connection reports its
    /// own close (`WebSocketStream.onClosed`), not through `connectionClosed`.
    private(set) var sockets: [ObjectIdentifier: WebSocketSubscriber] = [:]
    /// Each format's opening bytes (2 KiB of padding and the retry hint), made
    /// once: building them per stream was 60% of the server's instructions
    /// when many streams open (callgrind).
    let preambles: [WireFormat: [UInt8]]
    private var heartbeatTimer: LoopEvent?
    /// The price each symbol's day change is measured from (board, image).
    private(set) lazy var references = ReferencePrices(context: self)
    /// The server-pushed ticker images and their viewers.
    private(set) lazy var images: TickerImages = {
        let images = TickerImages(context: self, policy: FramePacer.Policy(
            maxFramesPerSecond: 4, heartbeatSeconds: max(1, Int(config.heartbeatSeconds))))
        images.reference = { [unowned self] in self.references.price($0) }
        return images
    }()

    /// Worker 0: the client address of each relayed connection (BayeuxHome.swift).
    var relayedPeers: [ConnectionID: String] = [:]
    /// The Bayeux server at `/cometd`.
    private(set) lazy var bayeux = BayeuxEngine(context: self)

    init(config: CometConfiguration, logger: Logger, loop: EventLoop, http: HTTPServer, cursor: Int64, latest: [Tick],
         verifier: TokenVerifier? = nil, delayed: DelayedFeed.InitialState? = nil) {
        self.config = config
        self.logger = logger
        self.loop = loop
        self.http = http
        hub = TickHub(cursor: cursor, latest: latest, logCapacity: config.tickLogCapacity)
        pump = CursorPump(loop: loop, databaseURL: config.databaseURL, hub: hub, logger: logger)
        queryDB = DatabaseDriver(loop: loop, url: config.databaseURL, logger: logger)
        access = AccessControl(verifier: verifier, delaySeconds: config.delaySeconds)
        self.delayed = delayed.map { DelayedFeed(loop: loop, delaySeconds: config.delaySeconds, state: $0, logCapacity: config.tickLogCapacity) }
        admission = Admission(maxTotal: config.maxConnections, maxPerAddress: config.maxConnectionsPerAddress)
        var p: [WireFormat: [UInt8]] = [:]
        for f in WireFormat.allCases { p[f] = f.transport.preamble(retryMilliseconds: config.retryMilliseconds) }
        preambles = p
    }

    func start() {
        http.connectionClosed = { [unowned self] in self.connectionClosed($0) }
        pump.onDatabaseChange = { [unowned self] up in
            for s in self.streams.values { s.send(.status(databaseUp: up)) }
            for w in self.sockets.values { w.send(.status(databaseUp: up)) }
            for m in self.mixed.values { m.send(.status(databaseUp: up)) }
        }
        if let delayed {
            pump.onTicks = { delayed.enter($0) }
            delayed.start()
        }
        pump.start()
        queryDB.start()
        references.start()
        bayeux.start()
        heartbeatTimer = loop.every(config.heartbeatSeconds) { [unowned self] in self.heartbeat() }
    }

    // MARK: Long-lived responses

    /// Registers a long-lived response on its connection.
    func track(_ sub: TickSubscriber, on connection: ConnectionID, peer: String) {
        sub.peer = peer
        admission.admit(peer: peer)
        active[connection] = sub
        http.watchClose(connection)
        let home = sub.home ?? hub
        sub.home = home
        if !sub.symbols.isEmpty { home.add(sub) }
        if let s = sub as? StreamSubscriber { streams[ObjectIdentifier(s)] = s }
    }

    /// Forgets the long-lived response of a connection, if it still has one
    /// (and, with `only`, if it is that one).
    @discardableResult
    func untrack(_ connection: ConnectionID, only sub: TickSubscriber? = nil) -> TickSubscriber? {
        guard let found = active[connection], sub == nil || found === sub else { return nil }
        active[connection] = nil
        admission.release(peer: found.peer)
        (found.home ?? hub).remove(found)
        found.expiry = nil
        found.onDetach?()
        found.onDetach = nil
        if let s = found as? StreamSubscriber { streams[ObjectIdentifier(s)] = nil }
        if let m = found as? MixedStream { mixed[ObjectIdentifier(m)] = nil }
        return found
    }

    var openResponses: Int { active.count + sockets.count + bayeux.sockets.count + mixed.values.filter { $0.streamOutput == nil }.count }

    /// Registers an upgraded WebSocket (counted by admission like a stream).
    func track(socket w: WebSocketSubscriber, peer: String) {
        w.peer = peer
        admission.admit(peer: peer)
        sockets[ObjectIdentifier(w)] = w
        let home = w.home ?? hub
        w.home = home
        home.add(w)
        metrics.websocketsOpened += 1
        metrics.websocketsOpen += 1
    }

    /// Registers an upgraded WebSocket mixing live and delayed symbols.
    func track(mixedSocket m: MixedStream, peer: String) {
        m.peer = peer
        admission.admit(peer: peer)
        mixed[ObjectIdentifier(m)] = m
        m.attach()
        metrics.websocketsOpened += 1
        metrics.websocketsOpen += 1
    }

    /// A mixed WebSocket's connection is gone: forget it once.
    func mixedSocketClosed(_ m: MixedStream) {
        m.markClosed()
        guard mixed.removeValue(forKey: ObjectIdentifier(m)) != nil else { return }
        socketGone(m, conflations: m.conflations)
        m.onDetach?()
        m.onDetach = nil
    }

    /// A WebSocket's connection is gone (whoever ended it): forget it once.
    func socketClosed(_ w: WebSocketSubscriber) {
        w.markClosed()
        guard sockets.removeValue(forKey: ObjectIdentifier(w)) != nil else { return }
        (w.home ?? hub).remove(w)
        socketGone(w, conflations: w.conflations)
    }

    /// Registers a Bayeux WebSocket (counted by admission like a stream).
    func track(bayeuxSocket ws: BayeuxWebSocket) {
        admission.admit(peer: ws.peer)
        bayeux.sockets[ObjectIdentifier(ws)] = ws
    }

    /// A Bayeux WebSocket's connection is gone: forget it once.
    func bayeuxSocketClosed(_ ws: BayeuxWebSocket) {
        guard bayeux.sockets.removeValue(forKey: ObjectIdentifier(ws)) != nil else { return }
        admission.release(peer: ws.peer)
        bayeux.socketClosed(ws)
    }

    /// A connection with a stream or parked poll closed: forget its subscriber
    /// and free the request evhttp detached.
    private func connectionClosed(_ connection: ConnectionID) {
        relayedPeers[connection] = nil
        guard let sub = untrack(connection) else { return }
        countStreamEnd(sub)
        if let s = sub as? StreamSubscriber {
            s.markClosed()
            s.request.freeIfDetached()
        } else if let m = sub as? MixedStream, let o = m.streamOutput {
            m.markClosed()
            o.request.freeIfDetached()
        } else if let w = sub as? LongPollTransport {
            w.abandon() // its onFinish updates the counts
            w.request.freeIfDetached()
        } else if let b = sub as? BayeuxHTTPLink {
            b.abandon() // its onFinish forgets the held connect
            b.request.freeIfDetached()
        } else if let v = sub as? ImageViewer {
            images.closed(v)
            v.request.freeIfDetached()
        }
    }

    /// The counts and admission of a WebSocket (plain or mixed) that is gone.
    private func socketGone(_ sub: TickSubscriber, conflations: Int) {
        admission.release(peer: sub.peer)
        sub.expiry = nil
        metrics.websocketsOpen -= 1
        metrics.conflatedTicks += conflations
    }

    // MARK: Heartbeats and draining

    private func heartbeat() {
        // Made once per beat and hub: live and delayed streams carry their hub's cursor.
        func frames(_ h: TickHub) -> [WireFormat: [UInt8]] {
            Dictionary(uniqueKeysWithValues: WireFormat.allCases.map { ($0, $0.transport.heartbeat(cursor: StreamCursor(h.cursor))) })
        }
        let live = frames(hub)
        let late = delayed.map { frames($0.hub) }
        for s in streams.values { s.heartbeat(frame: (s.home === hub ? live : late ?? live)[s.format]!) }
        for w in sockets.values { w.heartbeat(cursor: StreamCursor((w.home ?? hub).cursor)) }
        for m in mixed.values { m.heartbeat() }
    }

    /// Shutdown: streams get `bye` with a retry hint and end, parked polls
    /// answer, the database connections close.
    func drain() {
        heartbeatTimer = nil
        bayeux.drain()
        let open = active
        active.removeAll() // their requests end here; later close callbacks must not touch them
        admission.releaseAll()
        func bye(_ s: TickSubscriber) -> ControlEvent {
            .bye(retryMilliseconds: config.retryMilliseconds, cursor: StreamCursor((s.home ?? hub).cursor))
        }
        for s in streams.values { s.close(with: bye(s)) }
        for m in mixed.values { m.closeForShutdown(retryMilliseconds: config.retryMilliseconds) }
        mixed.removeAll()
        images.drain()
        streams.removeAll()
        for w in sockets.values { w.close(with: bye(w)) } // then close 1001; evhttp_free ends what remains
        sockets.removeAll()
        for case let w as LongPollTransport in open.values {
            w.expire(PollBody(cursor: w.cursorNow(), ticks: [], byeRetry: config.retryMilliseconds))
        }
        delayed?.close()
        pump.close()
        queryDB.close()
    }

    // MARK: Answers

    /// When a client's cursor is ahead of this server's (another node read
    /// further, or this one has not read a commit yet), reads first and runs
    /// `again` afterwards (see `CursorPump.catchUp`); returns false when there
    /// is no need and the route goes on now.
    func answerLater(_ req: HTTPRequest, since: Int64?, _ again: @escaping () throws -> Void) -> Bool {
        guard let since, since > hub.cursor else { return false }
        pump.catchUp(to: since, within: 1) { [unowned self] in Router.answer(req, self, again) }
        return true
    }

    /// A client mistake or a refusal: the status and one line of JSON.
    func fail(_ req: HTTPRequest, _ status: Int, _ message: String) {
        metrics.rejectedRequests += 1
        if status == 503 { req.setHeader("Retry-After", "2") }
        req.setHeader("Cache-Control", "no-store")
        req.respond(status, contentType: "application/json", text: JSON.error(message) + "\n")
    }

    func json(_ req: HTTPRequest, _ body: String) {
        req.setHeader("Cache-Control", "no-cache")
        req.respond(200, contentType: "application/json", text: body)
    }
}
