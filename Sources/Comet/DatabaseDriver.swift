import EventHTTP
import Logging
import Platform
import Postgres

/// One PostgreSQL connection driven by the event loop without ever blocking it:
/// non-blocking connect, one query in flight and a queue behind it, LISTEN
/// notifications, and reconnection with backoff when the database goes away.
///
/// Loop thread only.
final class DatabaseDriver {
    typealias Completion = (Result<PGResult, PGError>) -> Void

    private let loop: EventLoop
    private let url: String
    private let logger: Logger
    /// Called each time a connection becomes ready (LISTEN again, catch up).
    var onConnect: (() -> Void)?
    /// Called when notifications arrived.
    var onNotification: (() -> Void)?
    /// Called when an established connection is lost.
    var onDisconnect: (() -> Void)?

    private var connection: PGConnection?
    private var ready = false
    private var watcher: LoopEvent?
    /// Armed while a query's bytes wait for room in the socket buffer.
    private var flushWatcher: LoopEvent?
    private var retryTimer: LoopEvent?
    private var backoff = Backoff()
    /// One warning per 30 s of an outage, and a line when it ends.
    private var outageLog = LogRateLimiter()
    private var queue: [(sql: String, params: [String?], completion: Completion)] = []
    private var inFlight: Completion?
    private var pendingResult: PGResult?
    private var pendingError: PGError?
    private var closed = false
    private(set) var reconnects = 0

    var isReady: Bool { ready }

    init(loop: EventLoop, url: String, logger: Logger) {
        self.loop = loop
        self.url = url
        self.logger = logger
    }

    func start() { connect() }

    func close() {
        closed = true
        watcher = nil
        flushWatcher = nil
        retryTimer = nil
        connection = nil
        ready = false
        failAll(PGError("server shutting down", sqlState: "08000"))
    }

    /// Queues a query; `completion` runs on the loop thread.
    func query(_ sql: String, _ params: [String?] = [], _ completion: @escaping Completion) {
        guard ready || !closed else { completion(.failure(PGError("database connection closed", sqlState: "08000"))); return }
        queue.append((sql, params, completion))
        sendNext()
    }

    // MARK: Connecting

    private func connect() {
        guard !closed else { return }
        do {
            let c = try PGConnection.startConnecting(url, logger: logger)
            connection = c
            step(c)
        } catch {
            scheduleReconnect("\(error)")
        }
    }

    /// One `PQconnectPoll` step; the socket may differ at each step, so the
    /// watcher is made anew for it.
    private func step(_ c: PGConnection) {
        switch c.connectPoll() {
        case .reading: watchOnce(c, .readable)
        case .writing: watchOnce(c, .writable)
        case .failed(let message): scheduleReconnect(message)
        case .ready:
            ready = true
            backoff.succeeded()
            if let o = outageLog.success(at: MonotonicClock.now()) {
                logger.notice("database reachable again", metadata: [
                    "comet.db.outage_s": "\(Int(o.seconds.rounded()))", "comet.db.failed_attempts": "\(o.failures)"])
            }
            watcher = loop.watch(c.socket, for: .readable, persistent: true) { [unowned self] _ in self.readable() }
            logger.debug("database connected", metadata: ["comet.db.pid": "\(c.serverPID)"])
            onConnect?()
            sendNext()
        }
    }

    private func watchOnce(_ c: PGConnection, _ readiness: EventLoop.Readiness) {
        watcher = loop.watch(c.socket, for: readiness, timeout: 10) { [unowned self] _ in
            guard let c = self.connection else { return }
            self.step(c)
        }
    }

    private func scheduleReconnect(_ reason: String) {
        let wasReady = ready
        ready = false
        connection = nil
        watcher = nil
        flushWatcher = nil
        failAll(PGError(reason, sqlState: "08000"))
        guard !closed else { return }
        if wasReady { onDisconnect?() }
        reconnects += 1
        let delay = backoff.failed()
        if let held = outageLog.failure(at: MonotonicClock.now()) {
            logger.warning("database unavailable; reconnecting", metadata: [
                "comet.db.error": "\(reason.split(separator: "\n").first ?? "")", "comet.db.retry_s": "\(delay)",
                "comet.db.held_back": "\(held)"])
        }
        retryTimer = loop.after(delay) { [unowned self] in self.connect() }
    }

    private func failAll(_ error: PGError) {
        let waiting = queue
        queue.removeAll()
        let current = inFlight
        inFlight = nil
        pendingResult = nil
        pendingError = nil
        current?(.failure(error))
        for q in waiting { q.completion(.failure(error)) }
    }

    // MARK: Queries

    private func sendNext() {
        guard ready, inFlight == nil, !queue.isEmpty, let c = connection else { return }
        let q = queue.removeFirst()
        do {
            try c.sendQuery(q.sql, q.params)
            inFlight = q.completion
            try flush(c)
        } catch {
            q.completion(.failure(error))
            scheduleReconnect(error.message)
        }
    }

    /// Sends what libpq still holds; when the socket is full, waits for it to
    /// drain on the loop instead of spinning (the reply is read meanwhile).
    private func flush(_ c: PGConnection) throws(PGError) {
        if try c.flush() { flushWatcher = nil; return }
        flushWatcher = loop.watch(c.socket, for: .writable) { [unowned self] _ in
            guard let c = self.connection else { return }
            do throws(PGError) { try self.flush(c) } catch { self.scheduleReconnect(error.message) }
        }
    }

    private func readable() {
        guard let c = connection else { return }
        do {
            try c.consumeInput()
            if !(try c.drainNotifications()).isEmpty { onNotification?() }
            while inFlight != nil, !c.isBusy {
                if let r = c.nextResult() {
                    if let e = r.errorIfFailed { pendingError = pendingError ?? e } else { pendingResult = r }
                    continue
                }
                let done = inFlight!
                let result: Result<PGResult, PGError> = pendingError.map { .failure($0) }
                    ?? pendingResult.map { .success($0) } ?? .failure(PGError("no result"))
                inFlight = nil
                pendingError = nil
                pendingResult = nil
                done(result)
                if case .failure(let e) = result, e.isConnectionLoss { scheduleReconnect(e.message); return }
                sendNext()
            }
            // libpq parses a notification that arrived behind a query's result
            // only once that result is taken: look again, or it would wait
            // unseen in libpq's buffer until the socket next has data.
            if connection === c, !(try c.drainNotifications()).isEmpty { onNotification?() }
        } catch {
            scheduleReconnect(error.message)
        }
    }
}
