import EventHTTP
import Foundation
import Logging
import Postgres
import Quotes

/// The delayed view of the market: the one `DelayLine` every routed tick
/// enters, and the second `TickHub` it releases into (its own cursor `D`,
/// its own `TickLog`, its own latest quotes), so delayed subscribers are
/// served, resumed and replayed exactly like live ones, against this hub.
/// Released ticks are marked `delayed` and framed once, in this hub.
///
/// Loop thread only (but `loadInitialState`, which runs before the loop).
final class DelayedFeed {
    let hub: TickHub
    let delaySeconds: Double
    private var line: DelayLine
    private let loop: EventLoop
    private var timer: LoopEvent?
    private var armedFor: Int64?
    /// Requests waiting for the line to release up to a client's delayed cursor.
    private var waiters: [(id: Int64, done: () -> Void, timer: LoopEvent)] = []
    /// Wall-clock microseconds since 1970 (the clock `ts + delay` is compared with).
    var nowMicros: () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    init(loop: EventLoop, delaySeconds: Double, state: InitialState, logCapacity: Int) {
        self.loop = loop
        self.delaySeconds = delaySeconds
        hub = TickHub(cursor: state.cursor, latest: state.latest.map(Self.marked), logCapacity: logCapacity)
        line = DelayLine(delaySeconds: delaySeconds, after: state.cursor)
        line.enterHeld(state.held, nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }

    /// Ticks the delay line holds (`ticker_delayed_ticks_held`).
    var held: Int { line.count }

    func start() { releaseDue() }
    func close() { timer = nil }

    /// Ticks the cursor pump routed (in id order): into the line.
    func enter(_ ticks: [Tick]) {
        line.enter(ticks, arrivalMicros: nowMicros())
        releaseDue()
    }

    private func releaseDue() {
        let due = line.release(nowMicros: nowMicros())
        if !due.isEmpty { hub.publish(due.map(Self.marked)) }
        arm()
        if !waiters.isEmpty { release { $0.id <= self.hub.cursor } }
    }

    /// A client's delayed cursor is ahead of this line (it came from another
    /// worker, whose line released a few milliseconds earlier): runs `done`
    /// once the line has released up to `id`, or after `timeout` seconds; the
    /// caller then decides as usual, so a worker a little behind another
    /// never resets a client.
    func whenReleased(_ id: Int64, within timeout: Double, _ done: @escaping () -> Void) {
        guard hub.cursor < id else { return done() }
        let timer = loop.after(timeout) { [unowned self] in self.release { $0.id == id } }
        waiters.append((id, done, timer))
    }

    private func release(where ready: ((id: Int64, done: () -> Void, timer: LoopEvent)) -> Bool) {
        let due = waiters.filter(ready)
        waiters.removeAll(where: ready)
        for w in due { w.done() }
    }

    /// One timer, for the head of the line (the only tick that can be due next).
    private func arm() {
        guard let next = line.nextDue else { timer = nil; armedFor = nil; return }
        if armedFor == next, timer != nil { return }
        armedFor = next
        let wait = max(0.001, Double(next - nowMicros()) / 1_000_000)
        timer = loop.after(wait) { [unowned self] in
            self.timer = nil
            self.armedFor = nil
            self.releaseDue()
        }
    }

    static func marked(_ t: Tick) -> Tick {
        var t = t
        t.delayed = true
        t.late = false // the delayed hub decides
        return t
    }

    /// Where the delay line stands when the server starts: `cursor` is the
    /// newest id released (every tick up to it has `ts <= now - delay`, the
    /// first after it does not), `held` the ticks after it up to the live
    /// cursor, to be released as they fall due.
    struct InitialState {
        var cursor: Int64
        var latest: [Tick]
        var held: [Tick]
    }

    /// Reads the initial state with a blocking connection before the loop
    /// runs. The line is rebuilt from PostgreSQL, so a restart neither loses
    /// nor repeats a delayed tick.
    static func loadInitialState(databaseURL: String, delaySeconds: Double, liveCursor: Int64, logger: Logger) throws -> InitialState {
        do {
            let c = try PGConnection(databaseURL, logger: logger)
            let now = Date().timeIntervalSince1970
            let cursor = try c.exec(firstHeld, [String(liveCursor), String(now - delaySeconds), String(now)]).int64(0, 0) ?? liveCursor
            let latest = TickSQL.ticks(from: try c.exec(TickSQL.latestAll, [String(cursor)]))
            let held = TickSQL.ticks(from: try c.exec(heldSQL, [String(cursor), String(liveCursor)]))
            return InitialState(cursor: cursor, latest: latest, held: held)
        } catch {
            throw ServerError("cannot read the delay line's ticks from the database: \(error)")
        }
    }

    /// The id before the oldest tick (up to the live cursor `$1`) not yet due at cut `$2`
    /// (now `$3` - delay): per symbol through the (symbol, ts) index, so only
    /// the last delay's ticks are read. A tick with a future `ts` is due a
    /// delay after it arrived, taken as when the next tick with a past `ts`
    /// was stamped (now if none): the rule of `DelayLine.enterHeld`.
    private static let firstHeld = """
        SELECT coalesce(min(x.m) - 1, $1::bigint) FROM symbols s CROSS JOIN LATERAL (
            SELECT min(t.id) AS m FROM ticks t
            WHERE t.symbol = s.symbol AND t.ts > to_timestamp($2::double precision) AND t.id <= $1::bigint
              AND (t.ts <= to_timestamp($3::double precision) OR coalesce((
                  SELECT n.ts FROM ticks n WHERE n.id > t.id AND n.id <= $1::bigint
                      AND n.ts <= to_timestamp($3::double precision) ORDER BY n.id LIMIT 1),
                  to_timestamp($3::double precision)) > to_timestamp($2::double precision))) x
        """
    private static let heldSQL = "SELECT \(TickSQL.columns) FROM ticks WHERE id > $1 AND id <= $2 ORDER BY id"
}
