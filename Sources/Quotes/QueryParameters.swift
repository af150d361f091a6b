/// A parsed URL query string, kept in order, with percent-decoding.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    public static func == (a: QueryParameters, b: QueryParameters) -> Bool {
        a.pairs.elementsEqual(b.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Parses `a=1&b=x%20y`; `+` is a space. Throws on bad percent-encoding or
    /// text that is not UTF-8.
    public init(parsing query: some StringProtocol) throws(QueryError) {
        pairs = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(kv[0])
            let value = kv.count > 1 ? try Self.decode(kv[1]) : ""
            pairs.append((name, value))
        }
    }

    /// The value of `name`; throws when it is given twice with different values.
    public func value(_ name: String) throws(QueryError) -> String? {
        let values = pairs.filter { $0.name == name }.map(\.value)
        if Set(values).count > 1 { throw QueryError("parameter '\(name)' is given more than once") }
        return values.first
    }

    public var names: [String] { pairs.map(\.name) }

    /// Throws for the first parameter not in `allowed`, suggesting the closest allowed name.
    public func requireOnly(_ allowed: [String]) throws(QueryError) {
        for name in names where !allowed.contains(name) {
            let shown = name.count > 40 ? String(name.prefix(40)) + "…" : name
            if let near = allowed.min(by: { Self.distance($0, name) < Self.distance($1, name) }), Self.distance(near, name) <= 2 {
                throw QueryError("unknown parameter '\(shown)'; did you mean '\(near)'?")
            }
            throw QueryError("unknown parameter '\(shown)'; this route takes \(allowed.map { "'\($0)'" }.joined(separator: ", "))")
        }
    }

    static func decode(_ s: some StringProtocol) throws(QueryError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") { bytes.append(0x20); continue }
            guard c == UInt8(ascii: "%") else { bytes.append(c); continue }
            guard let h = it.popFirst(), let l = it.popFirst(), let hv = hex(h), let lv = hex(l) else {
                throw QueryError("bad percent-encoding in the query string")
            }
            bytes.append(hv << 4 | lv)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw QueryError("the query string is not UTF-8") }
        return text
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Edit distance, for "did you mean" hints on short parameter names.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b.prefix(40))
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var prev = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }
}

/// A query string problem; `message` is the one line sent to the client.
public struct QueryError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
