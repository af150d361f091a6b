import EventHTTP
import Foundation
import Logging
import Platform
import Postgres
import Quotes

/// The server's one reader of new ticks: a LISTEN connection whose
/// notifications wake a `CursorReader`, and the fetch loop that reads every
/// tick after the cursor, in id order, into the hub.
///
/// Loop thread only (but `loadInitialState`, which runs before the loop).
final class CursorPump {
    private let db: DatabaseDriver
    private let hub: TickHub
    private let logger: Logger
    private var reader: CursorReader
    private var wakeTime: Double?
    /// Time from the last wake-up to its ticks being routed (for metrics).
    private(set) var lastFetchSeconds = 0.0
    /// False from losing the LISTEN connection until it is back and the
    /// catch-up read is done: quotes may be stale meanwhile.
    private(set) var databaseUp = true
    /// Told each time `databaseUp` changes, so clients can be told.
    var onDatabaseChange: ((Bool) -> Void)?
    /// Told every fetch's ticks after the hub routed them (the delay line).
    var onTicks: (([Tick]) -> Void)?
    /// Requests waiting for the cursor to reach a client's (see `catchUp`).
    private var waiters: [(id: Int64, done: () -> Void, timer: LoopEvent)] = []
    private let loop: EventLoop

    static let fetchBatch = 5000

    init(loop: EventLoop, databaseURL: String, hub: TickHub, logger: Logger) {
        self.loop = loop
        self.hub = hub
        self.logger = logger
        reader = CursorReader(cursor: hub.cursor)
        db = DatabaseDriver(loop: loop, url: databaseURL, logger: logger)
        db.onConnect = { [unowned self] in self.connected() }
        db.onNotification = { [unowned self] in self.perform(self.reader.notified()) }
        db.onDisconnect = { [unowned self] in
            self.reader.disconnected()
            self.setDatabase(up: false)
        }
    }

    func start() { db.start() }
    func close() { db.close() }

    /// True while the LISTEN connection is up.
    var isReady: Bool { db.isReady }
    var reconnects: Int { db.reconnects }

    /// The cursor and latest quotes at start, read with a blocking connection
    /// before the loop runs; retried briefly so a server started with its
    /// database comes up cleanly.
    static func loadInitialState(databaseURL: String, logger: Logger) throws -> (cursor: Int64, latest: [Tick]) {
        var lastError: PGError?
        for attempt in 0..<20 {
            do {
                let c = try PGConnection(databaseURL, logger: logger)
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

    /// A client's cursor is ahead of this server's (it came from another node
    /// that has read further, or this one has not yet read a commit): read
    /// now, and run `done` once the cursor has reached `id`, or the read found
    /// nothing more (then `id` is beyond the database's newest), or `timeout`
    /// seconds passed. The caller then decides as usual, so a node a few
    /// milliseconds behind never tells a client its cursor is unknown.
    func catchUp(to id: Int64, within timeout: Double, _ done: @escaping () -> Void) {
        guard hub.cursor < id else { return done() }
        let timer = loop.after(timeout) { [unowned self] in self.release { $0.id == id } }
        waiters.append((id, done, timer))
        perform(reader.notified())
    }

    /// Runs the waiters the cursor has reached (`all`: every one; the reader is idle).
    private func releaseWaiters(all: Bool) {
        guard !waiters.isEmpty else { return }
        let cursor = hub.cursor
        release { all || $0.id <= cursor }
    }

    private func release(where ready: ((id: Int64, done: () -> Void, timer: LoopEvent)) -> Bool) {
        let due = waiters.filter(ready)
        waiters.removeAll(where: ready)
        for w in due { w.done() }
    }

    private func setDatabase(up: Bool) {
        guard up != databaseUp else { return }
        databaseUp = up
        onDatabaseChange?(up)
    }

    private func connected() {
        db.query("LISTEN ticks") { [unowned self] result in
            if case .failure(let e) = result { self.logger.error("LISTEN failed: \(e)"); return }
            // Notifications sent while disconnected are gone: catch up from the cursor.
            self.perform(self.reader.connected())
        }
    }

    private func perform(_ action: CursorReader.Action) {
        guard case .fetch(let after) = action else { return }
        if wakeTime == nil { wakeTime = MonotonicClock.now() }
        db.query(TickSQL.after, [String(after), String(Self.fetchBatch)]) { [unowned self] result in
            switch result {
            case .success(let r):
                let ticks = TickSQL.ticks(from: r)
                self.hub.publish(ticks) // parked polls answer from here too
                if !ticks.isEmpty { self.onTicks?(ticks) }
                if let w = self.wakeTime { self.lastFetchSeconds = MonotonicClock.now() - w }
                self.wakeTime = nil
                let next = self.reader.fetched(lastID: ticks.last?.id, full: ticks.count == Self.fetchBatch)
                if self.reader.state == .idle {
                    self.setDatabase(up: true) // caught up
                    self.releaseWaiters(all: true)
                } else {
                    self.releaseWaiters(all: false)
                }
                self.perform(next)
            case .failure(let e):
                self.logger.warning("fetching ticks failed: \(e)")
                self.reader.fetchFailed()
            }
        }
    }
}
