/// CSV feed lines (RFC 4180 quoting) whose header names the columns:
/// `symbol` and `price` required; `size`, `ts`, `bid`, `ask` optional; any
/// order; other names through a `FeedMapping`.
public struct CSVFeedDecoder: FeedDecoder {
    /// For each CSV column, the `FeedRow` field it fills (nil: ignored).
    private let columns: [String?]
    private let mapping: FeedMapping

    /// Reads the header line (a UTF-8 byte-order mark before it is skipped);
    /// throws when a required column is missing or a column is unknown and
    /// not to be ignored (a typo would otherwise silently drop data).
    public init(header: ArraySlice<UInt8>, mapping: FeedMapping = FeedMapping()) throws(FeedDecodeError) {
        self.mapping = mapping
        var fields: [ArraySlice<UInt8>] = []
        guard Self.split(Self.droppingByteOrderMark(header), into: &fields) else {
            throw FeedDecodeError("the header row has an unterminated quote")
        }
        var names: [String] = []
        var filled: [String?] = []
        for raw in fields {
            let name = String(decoding: raw, as: UTF8.self).trimmingSpaces()
            let field = mapping.field(for: name)
            if field == nil && !mapping.ignoreUnknown {
                throw FeedDecodeError("unknown column '\(FeedRow.show(raw))' in the header; columns are symbol, price, size, ts, bid, ask"
                    + " (map others with --columns field=Column, or skip them with --ignore-unknown)")
            }
            if let field, filled.contains(field) {
                throw FeedDecodeError("column '\(mapping.column(for: field))' appears twice in the header")
            }
            names.append(name)
            filled.append(field)
        }
        for required in ["symbol", "price"] where !filled.contains(required) {
            if required == "symbol" && mapping.symbol != nil { continue }
            let wanted = mapping.column(for: required)
            throw FeedDecodeError("the header has no '\(wanted)' column\(wanted == required ? "" : " for \(required)") (it names: \(names.joined(separator: ",")))")
        }
        for (field, column) in mapping.columns where !filled.contains(field) {
            throw FeedDecodeError("--columns \(field)=\(column): the header has no column '\(column)' (it names: \(names.joined(separator: ",")))")
        }
        columns = filled
    }

    public mutating func decode(_ line: ArraySlice<UInt8>) -> Result<FeedRow, FeedDecodeError> {
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(columns.count)
        guard Self.split(line, into: &fields) else { return .failure(FeedDecodeError("unterminated quote")) }
        guard fields.count == columns.count else {
            return .failure(FeedDecodeError("has \(fields.count) fields, the header has \(columns.count)"))
        }
        var row = FeedRow()
        for (name, value) in zip(columns, fields) {
            if let name { row.set(name, value) }
        }
        if let error = mapping.finish(&row) { return .failure(error) }
        return .success(row)
    }

    /// A line without the UTF-8 byte-order mark that Excel puts before a header.
    public static func droppingByteOrderMark(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.starts(with: [0xEF, 0xBB, 0xBF]) ? line.dropFirst(3) : line
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
