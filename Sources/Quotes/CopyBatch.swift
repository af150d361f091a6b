/// Validated ticks encoded for `COPY ticks (...) FROM STDIN` in text format.
///
/// Rows that carry their own `ts` and rows that take the database's time go
/// into two buffers, because PostgreSQL 15's COPY cannot ask for a column's
/// default on some rows only. Every field has passed `FeedRow.problem()`, so
/// none contains a tab, newline or backslash and no escaping is needed.
public struct CopyBatch {
    /// Column list of the buffer whose rows carry `ts`.
    public static let columnsWithTime = "symbol, price, size, bid, ask, ts"
    /// Column list of the buffer whose rows take `now()`.
    public static let columnsWithoutTime = "symbol, price, size, bid, ask"

    public private(set) var withTime: [UInt8] = []
    public private(set) var withoutTime: [UInt8] = []
    /// Each row's source line and place, in the order appended, so that a
    /// batch the database refuses can be retried row by row and reported.
    public private(set) var entries: [Entry] = []

    /// Where one appended row sits.
    public struct Entry: Sendable {
        public let line: Int
        public let timed: Bool
        public let range: Range<Int>
    }

    public init() {
        withTime.reserveCapacity(1 << 20)
        withoutTime.reserveCapacity(1 << 20)
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var byteCount: Int { withTime.count + withoutTime.count }

    /// Validates `row` and appends it; returns the reason when it is refused.
    public mutating func append(_ row: FeedRow, line: Int) -> String? {
        if let problem = row.problem() { return problem }
        let hasTime = row.present(row.ts) != nil
        let range: Range<Int>
        if hasTime {
            let start = withTime.count
            Self.encode(row, withTime: true, into: &withTime)
            range = start..<withTime.count
        } else {
            let start = withoutTime.count
            Self.encode(row, withTime: false, into: &withoutTime)
            range = start..<withoutTime.count
        }
        entries.append(Entry(line: line, timed: hasTime, range: range))
        return nil
    }

    /// The COPY text of one appended row.
    public func bytes(of entry: Entry) -> ArraySlice<UInt8> {
        entry.timed ? withTime[entry.range] : withoutTime[entry.range]
    }

    public mutating func removeAll() {
        withTime.removeAll(keepingCapacity: true)
        withoutTime.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// The COPY text line of one valid row (used to retry rows one by one).
    public static func encode(_ row: FeedRow, withTime: Bool, into out: inout [UInt8]) {
        let tab = UInt8(ascii: "\t"), nl = UInt8(ascii: "\n")
        func field(_ f: ArraySlice<UInt8>?) {
            if let f, !f.isEmpty { out.append(contentsOf: f) } else { out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")]) }
        }
        field(row.symbol); out.append(tab)
        field(row.price); out.append(tab)
        field(row.size); out.append(tab)
        field(row.bid); out.append(tab)
        field(row.ask)
        if withTime { out.append(tab); field(row.ts) }
        out.append(nl)
    }
}
