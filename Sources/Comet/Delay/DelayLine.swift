import Quotes

/// The server's one delay line: every routed tick enters it in id order and
/// leaves once `now >= ts + delay`, strictly in id order (a tick waits behind
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

    /// Takes routed ticks (in id order); those at or below `lastID` are skipped.
    mutating func enter(_ ticks: some Sequence<Tick>) {
        for t in ticks where t.id > lastID {
            // A ts that does not parse (it always does: PostgreSQL wrote it) leaves at once.
            let due = (TimestampText.micros(Array(t.ts.utf8)[...]) ?? .min / 2) + delayMicros
            held.append((t, due))
            lastID = t.id
        }
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
