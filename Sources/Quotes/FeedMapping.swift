/// How a file's own columns become feed fields, so an export loads without
/// editing: `--columns price=Close,ts=Date`, `--ignore-unknown`,
/// `--symbol IBM` for a one-symbol file, `--ts-format epoch-ms`.
///
/// Strict by default: a column that fills no field is an error (a typo would
/// silently drop data) unless unknown columns are to be ignored. Column names
/// match without regard to case.
public struct FeedMapping: Sendable {
    /// Feed field → the file's column (lower-cased) that fills it.
    public private(set) var columns: [String: String] = [:]
    public var ignoreUnknown = false
    /// The symbol of rows that give none (upper-cased).
    public private(set) var symbol: ArraySlice<UInt8>?
    public var timestamps: TimestampText.Format = .iso

    public init() {}

    /// Parses the command line's form; each error is one line naming the option.
    public init(columns spec: String?, ignoreUnknown: Bool = false, symbol: String? = nil,
                timestamps: TimestampText.Format = .iso) throws(FeedDecodeError) {
        self.ignoreUnknown = ignoreUnknown
        self.timestamps = timestamps
        if let symbol {
            switch Symbol.normalise(symbol.trimmingSpaces()) {
            case .success(let s): self.symbol = Array(s.utf8)[...]
            case .failure(let e): throw FeedDecodeError("--symbol: \(e.description)")
            }
        }
        for part in (spec ?? "").split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard pair.count == 2, !pair[1].isEmpty else {
                throw FeedDecodeError("--columns: '\(part)' is not field=Column (e.g. price=Close)")
            }
            let field = pair[0].lowercased()
            guard FeedRow.fieldNames.contains(field) else {
                throw FeedDecodeError("--columns: '\(pair[0])' is not a field; fields are symbol, price, size, ts, bid, ask")
            }
            guard columns[field] == nil else { throw FeedDecodeError("--columns: '\(field)' is mapped twice") }
            columns[field] = pair[1].lowercased()
        }
    }

    /// The field a column named `name` fills, or nil when it fills none.
    public func field(for name: String) -> String? {
        let lower = name.lowercased()
        if let mapped = columns.first(where: { $0.value == lower }) { return mapped.key }
        return FeedRow.fieldNames.contains(lower) && columns[lower] == nil ? lower : nil
    }

    /// The column name that fills `field` (for messages).
    public func column(for field: String) -> String { columns[field] ?? field }

    /// The per-row rules after decoding: `--symbol` fills a missing symbol;
    /// symbols are upper-cased (as the HTTP API does); timestamps become ISO text.
    public func finish(_ row: inout FeedRow) -> FeedDecodeError? {
        if row.present(row.symbol) == nil, let symbol { row.symbol = symbol }
        // Upper-cased only when that makes it a symbol, so a bad one is reported as written.
        if let s = row.symbol, s.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            let upper = s.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }
            if upper.indices.allSatisfy({ Symbol.isAllowed(upper[$0], first: $0 == 0) }) { row.symbol = upper[...] }
        }
        guard let ts = row.present(row.ts) else { return nil }
        switch timestamps {
        case .iso:
            row.ts = TimestampText.expandingDate(ts)
        case .epochSeconds, .epochMilliseconds:
            switch TimestampText.fromEpoch(ts, timestamps) {
            case .success(let iso): row.ts = iso
            case .failure(let e): return e
            }
        }
        return nil
    }
}
