import CLibEvent
import Foundation
import Glibc
import Logging
import Postgres
import Quotes

/// The Comet server: HTTP on libevent, one LISTEN connection that wakes a
/// cursor reader, and the hub that routes each new tick to its subscribers.
///
/// The whole server runs on one event-loop thread; `start()` binds and starts
/// it, `shutdown()` (from any thread) asks it to stop, `wait()` returns when it
/// has. `@unchecked Sendable`: after `start()` every mutable field is touched
/// only on the loop thread; other threads only call `shutdown()`/`wait()`,
/// which go through a pre-made libevent event and a semaphore.
public final class CometServer: @unchecked Sendable {
    /// The lifecycle, logged at each change (as Hummingbird's `Server` does).
    public enum State: String, Sendable { case initial, starting, running, shuttingDown, shutdown }

    let config: CometConfiguration
    let logger: Logger
    let loop = EventLoop()
    let http: HTTPServer
    private(set) var state: State = .initial
    var hub: TickHub!
    var reader = CursorReader(cursor: 0)
    var listenDB: DatabaseDriver!
    var queryDB: DatabaseDriver!
    var metrics = Metrics()
    var staticFiles: StaticFiles?
    /// The long-lived response on each connection (stream or parked poll), by `evhttp_connection*`.
    var active: [OpaquePointer: TickSubscriber] = [:]
    var streams: [ObjectIdentifier: StreamSubscriber] = [:]
    /// Long-lived responses per client address (for `maxConnectionsPerAddress`).
    var perAddress: [String: Int] = [:]
    private var heartbeatTimer: LoopEvent?
    private var stopEvent: LoopEvent?
    private var signalEvents: [LoopEvent] = []
    private var drainTimer: LoopEvent?
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?
    private var wakeTime: Double?
    /// Each format's opening bytes (2 KiB of padding and the retry hint), made
    /// once: building them per stream was 60% of the server's instructions
    /// when many streams open (callgrind).
    let preambles: [WireFormat: [UInt8]]
    /// The bound port (after `start()`).
    public private(set) var port = 0

    public init(configuration: CometConfiguration, logger: Logger) {
        config = configuration
        self.logger = logger
        http = HTTPServer(loop: loop, requestTimeout: configuration.requestTimeoutSeconds,
                          maxHeaderBytes: configuration.maxHeaderBytes, logger: logger)
        staticFiles = configuration.publicDirectory.map(StaticFiles.init)
        var p: [WireFormat: [UInt8]] = [:]
        for f in WireFormat.allCases { p[f] = f.preamble(retryMilliseconds: configuration.retryMilliseconds) }
        preambles = p
    }

    private func set(_ s: State) {
        state = s
        logger.info("server \(s.rawValue)", metadata: ["comet.port": "\(port)"])
    }

    /// Loads the cursor and the latest quotes, binds the port and starts the
    /// loop thread. Throws with one clear line when the database or port is unusable.
    @discardableResult
    public func start() throws -> Int {
        set(.starting)
        signal(SIGPIPE, SIG_IGN) // libevent writes without MSG_NOSIGNAL
        let (cursor, latest) = try loadInitialState()
        hub = TickHub(cursor: cursor, latest: latest, logCapacity: config.tickLogCapacity)
        reader = CursorReader(cursor: cursor)
        port = try http.bind(host: config.host, port: config.port, reusePort: config.reusePort)
        http.handler = { [unowned self] in self.route($0) }
        http.connectionClosed = { [unowned self] in self.connectionClosed($0) }

        listenDB = DatabaseDriver(loop: loop, url: config.databaseURL, logger: logger)
        listenDB.onConnect = { [unowned self] in self.listenConnected() }
        listenDB.onNotification = { [unowned self] in self.perform(self.reader.notified()) }
        listenDB.onDisconnect = { [unowned self] in self.reader.disconnected() }
        queryDB = DatabaseDriver(loop: loop, url: config.databaseURL, logger: logger)
        listenDB.start()
        queryDB.start()

        heartbeatTimer = loop.every(config.heartbeatSeconds) { [unowned self] in self.heartbeat() }
        stopEvent = LoopEvent(loop: loop, fd: -1, events: 0) { [unowned self] _ in self.beginShutdown() }
        if config.handleSignals {
            for sig in [SIGTERM, SIGINT] {
                let e = LoopEvent(loop: loop, fd: sig, events: Int16(EV_SIGNAL | EV_PERSIST)) { [unowned self] _ in self.beginShutdown() }
                e.add()
                signalEvents.append(e)
            }
        }
        let t = Thread { [self] in
            self.loop.run()
            self.finished.signal()
        }
        t.name = "comet-loop"
        t.stackSize = 4 << 20
        thread = t
        set(.running)
        t.start()
        return port
    }

    /// Asks the server to stop: stop accepting, end streams with a retry hint,
    /// answer parked polls, close the database, leave the loop. Any thread.
    public func shutdown() { stopEvent?.activate() }

    /// Blocks until the loop has ended.
    public func wait() {
        finished.wait()
        finished.signal()
    }

    /// The cursor and latest quotes at start, read with a blocking connection
    /// before the loop runs; retried briefly so a server started with its
    /// database comes up cleanly.
    private func loadInitialState() throws -> (Int64, [Tick]) {
        var lastError: PGError?
        for attempt in 0..<20 {
            do {
                let c = try PGConnection(config.databaseURL, logger: logger)
                let cursor = try c.exec("SELECT coalesce(max(id), 0) FROM ticks").int64(0, 0) ?? 0
                let latest = TickSQL.ticks(from: try c.exec(TickSQL.latestAll, [String(cursor)]))
                return (cursor, latest)
            } catch {
                lastError = error
                if !error.isConnectionLoss { break }
                Thread.sleep(forTimeInterval: min(0.1 * Double(attempt + 1), 1))
            }
        }
        throw ServerError("cannot read ticks from the database: \(lastError.map { "\($0)" } ?? "unknown error")")
    }

    // MARK: The cursor reader

    private func listenConnected() {
        listenDB.query("LISTEN ticks") { [unowned self] result in
            if case .failure(let e) = result { self.logger.error("LISTEN failed: \(e)"); return }
            // Notifications sent while disconnected are gone: catch up from the cursor.
            self.perform(self.reader.connected())
        }
    }

    static let fetchBatch = 5000

    func perform(_ action: CursorReader.Action) {
        guard case .fetch(let after) = action else { return }
        if wakeTime == nil { wakeTime = Self.now() }
        listenDB.query(TickSQL.after, [String(after), String(Self.fetchBatch)]) { [unowned self] result in
            switch result {
            case .success(let r):
                let ticks = TickSQL.ticks(from: r)
                self.hub.publish(ticks) // parked polls answer from here too
                if let w = self.wakeTime { self.metrics.lastFetchSeconds = Self.now() - w }
                self.wakeTime = nil
                self.perform(self.reader.fetched(lastID: ticks.last?.id, full: ticks.count == Self.fetchBatch))
            case .failure(let e):
                self.logger.warning("fetching ticks failed: \(e)")
                self.reader.fetchFailed()
            }
        }
    }

    /// Monotonic seconds, for measuring intervals.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: Heartbeats and closing

    private func heartbeat() {
        var frames: [WireFormat: [UInt8]] = [:]
        for f in WireFormat.allCases { frames[f] = f.heartbeat(cursor: hub.cursor) }
        for s in streams.values { s.heartbeat(cursor: hub.cursor, frame: frames[s.format]!) }
    }

    /// A connection with a stream or parked poll closed: forget its subscriber
    /// and free the request evhttp detached.
    private func connectionClosed(_ evcon: OpaquePointer) {
        guard let sub = untrack(evcon) else { return }
        hub.remove(sub)
        if let s = sub as? StreamSubscriber {
            streams[ObjectIdentifier(s)] = nil
            metrics.streamsOpen[s.format, default: 1] -= 1
            metrics.conflatedTicks += s.conflations
            s.markClosed()
            s.request.freeIfDetached()
        } else if let w = sub as? PollWaiter {
            w.abandon() // its onFinish updates the counts
            w.request.freeIfDetached()
        }
    }

    /// Registers a long-lived response on its connection.
    func track(_ sub: TickSubscriber, on evcon: OpaquePointer, peer: String) {
        sub.peer = peer
        perAddress[peer, default: 0] += 1
        active[evcon] = sub
        http.watchClose(evcon)
    }

    /// Forgets the long-lived response of a connection, if it still has one.
    @discardableResult
    func untrack(_ evcon: OpaquePointer, only sub: TickSubscriber? = nil) -> TickSubscriber? {
        guard let found = active[evcon], sub == nil || found === sub else { return nil }
        active[evcon] = nil
        if let n = perAddress[found.peer] { perAddress[found.peer] = n > 1 ? n - 1 : nil }
        return found
    }

    /// Why a new stream or parked poll cannot be taken now, or nil.
    func refusal(peer: String) -> String? {
        if active.count >= config.maxConnections { return "the server is at its connection limit; retry shortly" }
        if config.maxConnectionsPerAddress > 0, perAddress[peer, default: 0] >= config.maxConnectionsPerAddress {
            return "too many connections from your address (at most \(config.maxConnectionsPerAddress)); close some and retry"
        }
        return nil
    }

    private func beginShutdown() {
        guard state == .running else { return }
        set(.shuttingDown)
        http.closeListener()
        heartbeatTimer = nil
        let open = active
        active.removeAll() // their requests end here; later close callbacks must not touch them
        perAddress.removeAll()
        for s in streams.values {
            s.sendEvent("bye", json: "{\"retry\":\(config.retryMilliseconds),\"cursor\":\(hub.cursor)}")
            s.markClosed()
            s.request.endStream()
        }
        for case let w as PollWaiter in open.values { w.answer(cursor: w.since, ticks: []) }
        streams.removeAll()
        listenDB.close()
        queryDB.close()
        // Let the last writes leave, then end the loop.
        drainTimer = loop.after(0.2) { [unowned self] in
            self.set(.shutdown)
            self.loop.stop()
        }
    }
}
