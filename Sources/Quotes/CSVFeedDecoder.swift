/// CSV feed lines (RFC 4180 quoting) whose header names the columns:
/// `symbol` and `price` required; `size`, `ts`, `bid`, `ask` optional; any order.
public struct CSVFeedDecoder: FeedDecoder {
    /// For each CSV column, the `FeedRow` field it fills.
    private let columns: [String]
    private var ranges: [Range<Int>] = []

    /// Reads the header line; throws when a required column is missing or a
    /// column is unknown (a typo would otherwise silently drop data).
    public init(header: ArraySlice<UInt8>) throws(FeedDecodeError) {
        var fields: [ArraySlice<UInt8>] = []
        guard Self.split(header, into: &fields) else { throw FeedDecodeError("the header row has an unterminated quote") }
        var names: [String] = []
        for raw in fields {
            var name = String(decoding: raw, as: UTF8.self).trimmingSpaces().lowercased()
            if name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            guard FeedRow.fieldNames.contains(name) else {
                throw FeedDecodeError("unknown column '\(FeedRow.show(Array(name.utf8)[...]))' in the header; columns are symbol, price, size, ts, bid, ask")
            }
            guard !names.contains(name) else { throw FeedDecodeError("column '\(name)' appears twice in the header") }
            names.append(name)
        }
        for required in ["symbol", "price"] where !names.contains(required) {
            throw FeedDecodeError("the header has no '\(required)' column (it names: \(names.joined(separator: ",")))")
        }
        columns = names
    }

    public mutating func decode(_ line: ArraySlice<UInt8>) -> Result<FeedRow, FeedDecodeError> {
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(columns.count)
        guard Self.split(line, into: &fields) else { return .failure(FeedDecodeError("unterminated quote")) }
        guard fields.count == columns.count else {
            return .failure(FeedDecodeError("has \(fields.count) fields, the header has \(columns.count)"))
        }
        var row = FeedRow()
        for (name, value) in zip(columns, fields) { row.set(name, value) }
        return .success(row)
    }

    /// Splits a CSV line into fields; quoted fields are unquoted into new storage.
    /// Returns false on an unterminated quote.
    static func split(_ line: ArraySlice<UInt8>, into fields: inout [ArraySlice<UInt8>]) -> Bool {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
        var i = line.startIndex
        let end = line.endIndex
        while true {
            if i < end, line[i] == quote {
                var value: [UInt8] = []
                i += 1
                var closed = false
                while i < end {
                    if line[i] == quote {
                        if i + 1 < end, line[i + 1] == quote { value.append(quote); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    value.append(line[i]); i += 1
                }
                guard closed else { return false }
                fields.append(value[...])
                while i < end, line[i] != comma { i += 1 }
            } else {
                let start = i
                while i < end, line[i] != comma { i += 1 }
                fields.append(trim(line[start..<i]))
            }
            if i >= end { return true }
            i += 1 // past the comma
        }
    }

    @inline(__always)
    static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") { s = s.dropFirst() }
        while let l = s.last, l == UInt8(ascii: " ") || l == UInt8(ascii: "\t") || l == UInt8(ascii: "\r") { s = s.dropLast() }
        return s
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
