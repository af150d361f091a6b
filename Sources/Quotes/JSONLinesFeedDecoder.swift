/// JSON-lines feed: one flat object per line with the CSV column names as keys.
/// Numbers keep their exact text (`189.23` stays `189.23`); strings are taken
/// as the field's text; `null` means absent.
public struct JSONLinesFeedDecoder: FeedDecoder {
    private let mapping: FeedMapping

    /// Keys are mapped to fields as a CSV header's columns are (`FeedMapping`).
    public init(mapping: FeedMapping = FeedMapping()) { self.mapping = mapping }

    public mutating func decode(_ line: ArraySlice<UInt8>) -> Result<FeedRow, FeedDecodeError> {
        var p = Parser(bytes: line, mapping: mapping)
        do {
            var row = try p.object()
            if let error = mapping.finish(&row) { return .failure(error) }
            return .success(row)
        } catch {
            return .failure(error)
        }
    }

    private struct Parser {
        let bytes: ArraySlice<UInt8>
        let mapping: FeedMapping
        var i: Int

        init(bytes: ArraySlice<UInt8>, mapping: FeedMapping) {
            self.bytes = bytes
            self.mapping = mapping
            self.i = bytes.startIndex
        }

        mutating func skipSpace() {
            while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0d || bytes[i] == 0x0a { i += 1 }
        }

        mutating func expect(_ c: UInt8, _ what: String) throws(FeedDecodeError) {
            skipSpace()
            guard i < bytes.endIndex, bytes[i] == c else { throw FeedDecodeError("not a JSON object: expected \(what)") }
            i += 1
        }

        mutating func object() throws(FeedDecodeError) -> FeedRow {
            try expect(UInt8(ascii: "{"), "'{'")
            var row = FeedRow()
            var seen = Set<String>()
            skipSpace()
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "}") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard i < bytes.endIndex else { throw FeedDecodeError("not a JSON object: missing '}'") }
                    let rawKey = try string()
                    let key = String(decoding: rawKey, as: UTF8.self)
                    try expect(UInt8(ascii: ":"), "':' after \"\(FeedRow.show(rawKey))\"")
                    let value = try value(for: FeedRow.show(rawKey))
                    if let field = mapping.field(for: key) {
                        guard seen.insert(field).inserted else { throw FeedDecodeError("field '\(FeedRow.show(rawKey))' appears twice") }
                        row.set(field, value)
                    } else if !mapping.ignoreUnknown {
                        throw FeedDecodeError("unknown field '\(FeedRow.show(rawKey))'; fields are symbol, price, size, ts, bid, ask"
                            + " (map others with --columns field=key, or skip them with --ignore-unknown)")
                    }
                    skipSpace()
                    guard i < bytes.endIndex else { throw FeedDecodeError("not a JSON object: missing '}'") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                    throw FeedDecodeError("not a JSON object: expected ',' or '}'")
                }
            }
            skipSpace()
            guard i == bytes.endIndex else { throw FeedDecodeError("text after the JSON object") }
            return row
        }

        /// A field's value; `key` (already printable) names it in messages.
        mutating func value(for key: String) throws(FeedDecodeError) -> ArraySlice<UInt8>? {
            skipSpace()
            guard i < bytes.endIndex else { throw FeedDecodeError("missing value for '\(key)'") }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { return try string() }
            if c == UInt8(ascii: "n"), bytes[i...].starts(with: "null".utf8) { i += 4; return nil }
            if c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
                let start = i
                while i < bytes.endIndex, !(bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}") || bytes[i] == 0x20) { i += 1 }
                return bytes[start..<i]
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { throw FeedDecodeError("field '\(key)' must be a string or a number, not a nested value") }
            let start = i
            while i < bytes.endIndex, !(bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}")) { i += 1 }
            throw FeedDecodeError("field '\(key)' has a value that is not a string or number: \(FeedRow.show(bytes[start..<i]))")
        }

        /// A JSON string's content; escapes are decoded into new storage.
        mutating func string() throws(FeedDecodeError) -> ArraySlice<UInt8> {
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { throw FeedDecodeError("not a JSON object: expected a quoted key") }
            i += 1
            let start = i
            while i < bytes.endIndex, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
            guard i < bytes.endIndex else { throw FeedDecodeError("unterminated string") }
            if bytes[i] == UInt8(ascii: "\"") {
                defer { i += 1 }
                return bytes[start..<i]
            }
            var out = Array(bytes[start..<i])
            while i < bytes.endIndex {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return out[...] }
                if c == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.endIndex else { break }
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.endIndex, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(v) else { throw FeedDecodeError("bad \\u escape") }
                        out.append(contentsOf: Array(String(scalar).utf8))
                        i += 4
                    default: throw FeedDecodeError("bad escape in a string")
                    }
                } else {
                    out.append(c); i += 1
                }
            }
            throw FeedDecodeError("unterminated string")
        }
    }
}
