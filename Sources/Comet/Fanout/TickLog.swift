import Quotes

/// The newest ticks in memory, in id order, so that resumes and polls within
/// its window are answered without touching the database.
///
/// `floor` is the cursor below which the log knows nothing: every committed
/// tick with `floor < id <= last` is in it. A resume from `since >= floor` is
/// served here; an older one goes to PostgreSQL.
struct TickLog {
    private var ring: [EncodedTick?]
    private var head = 0
    private(set) var count = 0
    private(set) var floor: Int64

    init(capacity: Int, floor: Int64) {
        ring = Array(repeating: nil, count: max(capacity, 1))
        self.floor = floor
    }

    var capacity: Int { ring.count }

    mutating func append(_ tick: EncodedTick) {
        if count == ring.count {
            floor = ring[head]!.id
            ring[head] = tick
            head = (head + 1) % ring.count
        } else {
            ring[(head + count) % ring.count] = tick
            count += 1
        }
    }

    /// Restarts the log at `cursor` (after the server lost track, e.g. a database reset).
    mutating func reset(floor: Int64) {
        ring = Array(repeating: nil, count: ring.count)
        head = 0
        count = 0
        self.floor = floor
    }

    /// True when every tick after `since` is known here.
    func covers(since: Int64) -> Bool { since >= floor }

    /// Ticks after `since` whose symbol passes `wanted`, oldest first, at most `limit`.
    func ticks(after since: Int64, limit: Int = .max, where wanted: (String) -> Bool) -> [EncodedTick] {
        // Binary search for the first id > since.
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ring[(head + mid) % ring.count]!.id <= since { lo = mid + 1 } else { hi = mid }
        }
        var out: [EncodedTick] = []
        var i = lo
        while i < count, out.count < limit {
            let t = ring[(head + i) % ring.count]!
            if wanted(t.tick.symbol) { out.append(t) }
            i += 1
        }
        return out
    }
}
