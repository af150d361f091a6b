import Quotes

/// The server's one delay line: every routed tick enters it in id order and
/// leaves once `now >= min(ts, arrival) + delay`, strictly in id order (a tick waits behind
/// an earlier id even when its own `ts` is older) and exactly once. One line
/// per server, not per subscriber: a delayed subscriber costs nothing here.
///
/// A plain value: ticks and the time in, due ticks out.
struct DelayLine {
    /// Microseconds a tick is held after its `ts`.
    let delayMicros: Int64
    private var held: [(tick: Tick, due: Int64)] = []
    private var head = 0
    /// The newest id that entered (ticks at or below it are ignored).
    private(set) var lastID: Int64

    /// - Parameters:
    ///   - delaySeconds: how late ticks leave.
    ///   - after: ids at or below this have been released already.
    init(delaySeconds: Double, after: Int64) {
        delayMicros = Int64((delaySeconds * 1_000_000).rounded())
        lastID = after
    }

    /// Ticks held now.
    var count: Int { held.count - head }

    /// Takes routed ticks (in id order) that arrived at `arrivalMicros`;
    /// those at or below `lastID` are skipped. A tick leaves at
    /// `min(ts, arrival) + delay`: a `ts` in the future (a feed's clock, a
    /// typo: `2030-01-01`) would otherwise hold every later tick behind it
    /// for years, and the line would grow without bound.
    mutating func enter(_ ticks: some Sequence<Tick>, arrivalMicros: Int64) {
        for t in ticks where t.id > lastID {
            // A ts that does not parse (it always does: PostgreSQL wrote it) leaves at once.
            let ts = TimestampText.micros(Array(t.ts.utf8)[...]) ?? .min / 2
            held.append((t, min(ts, arrivalMicros) + delayMicros))
            lastID = t.id
        }
    }

    /// Takes the ticks a restart found still held (in id order), at
    /// `nowMicros`. When each arrived is not recorded: a tick with a future
    /// `ts` is taken to have arrived when the next tick with a past `ts`
    /// was stamped (ids are commit order), or now when none has yet; the
    /// same rule as `DelayedFeed.firstHeld`, so a restart neither freezes
    /// the line nor repeats what it released.
    mutating func enterHeld(_ ticks: [Tick], nowMicros: Int64) {
        var arrival = Array(repeating: nowMicros, count: ticks.count)
        var next = nowMicros
        for i in ticks.indices.reversed() {
            arrival[i] = next
            if let ts = TimestampText.micros(Array(ticks[i].ts.utf8)[...]), ts <= nowMicros { next = ts }
        }
        for (i, t) in ticks.enumerated() { enter(CollectionOfOne(t), arrivalMicros: arrival[i]) }
    }

    /// The ticks due at `nowMicros`, in id order: from the head while the head is due.
    mutating func release(nowMicros: Int64) -> [Tick] {
        var out: [Tick] = []
        while head < held.count, held[head].due <= nowMicros {
            out.append(held[head].tick)
            head += 1
        }
        // Compact now and then, not on every release.
        if head > 1024 && head * 2 > held.count {
            held.removeFirst(head)
            head = 0
        }
        return out
    }

    /// When the head tick is due (microseconds since 1970), if any is held.
    var nextDue: Int64? { head < held.count ? held[head].due : nil }
}
