import Foundation
import TickerTestSupport

/// A subscriber through a load balancer, as the client library behaves: a
/// stream on any transport, a long poll or a plain poll, always carrying its
/// cursor (`since`), reconnecting whenever its node goes away. It records
/// every tick id it received (to compare with the database) and each outage:
/// when it lost its node and when it was served again.
final class BalancedClient: @unchecked Sendable {
    enum Kind: Sendable, CustomStringConvertible {
        case stream(transport: String), longPoll, poll
        var description: String {
            switch self {
            case .stream(let t): return t
            case .longPoll: return "long poll"
            case .poll: return "poll"
            }
        }
    }

    let kind: Kind
    let symbols: [String]
    let port: Int
    private(set) var ids: [Int64] = []
    /// (lost, back): from the first failed read or dropped stream to the next answer.
    private(set) var outages: [(lost: Date, back: Date)] = []
    private(set) var resets = 0
    private var lostAt: Date?

    init(_ kind: Kind, symbols: [String], port: Int) {
        self.kind = kind
        self.symbols = symbols
        self.port = port
    }

    var label: String { "\(kind) \(symbols.joined(separator: ","))" }

    /// Follows until `done(ids.last, cursor)` says so, or `timeout` seconds.
    func follow(timeout: Double, done: @escaping (_ lastID: Int64?, _ cursor: Int64) -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var cursor: Int64 = 0
        while Date() < deadline, !done(ids.last, cursor) {
            switch kind {
            case .stream(let transport): stream(transport, deadline: deadline, cursor: &cursor, done: done)
            case .longPoll: poll(wait: 5, cursor: &cursor)
            case .poll: poll(wait: 0, cursor: &cursor); Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    private var query: String { "symbols=\(symbols.joined(separator: ","))" }

    private func served() {
        if let l = lostAt { outages.append((l, Date())); lostAt = nil }
    }

    private func lost() {
        if lostAt == nil { lostAt = Date() }
        Thread.sleep(forTimeInterval: 0.1)
    }

    private func stream(_ transport: String, deadline: Date, cursor: inout Int64, done: (Int64?, Int64) -> Bool) {
        let since = ids.last ?? 0 // always a cursor: a resume never gets a snapshot
        guard let c = try? HTTPTestClient(port: port, path: "/stream?\(query)&transport=\(transport)&since=\(since)"),
              c.readUntil(timeout: 5, { $0.contains("hello") }), c.status == 200 else { return lost() }
        served()
        var got: [Int64] = []
        while Date() < deadline, !c.closed {
            c.read(for: 0.2)
            got = Self.completeTickIDs(c.text)
            if done((ids + got).last, cursor) { break }
        }
        ids += got
        if c.closed { lost() }
    }

    private func poll(wait: Int, cursor: inout Int64) {
        guard let r = try? HTTPTestClient.get(port: port, "/poll?\(query)&since=\(cursor)&wait=\(wait)", timeout: Double(wait) + 10),
              r.status == 200, let next = Self.number(after: "\"cursor\":", in: r.body) else { return lost() }
        served()
        if r.body.contains("\"reset\":true") { resets += 1 }
        ids += Self.completeTickIDs(r.body)
        cursor = max(cursor, next)
    }

    static func number(after key: String, in text: String) -> Int64? {
        guard let r = text.range(of: key) else { return nil }
        return Int64(text[r.upperBound...].prefix { $0.isNumber })
    }

    /// Ids of the ticks received whole (a tick cut off by a dropped
    /// connection does not count: the client library drops it too).
    static func completeTickIDs(_ text: String) -> [Int64] {
        var ids: [Int64] = []
        var rest = Substring(text)
        while let r = rest.range(of: "{\"id\":") {
            rest = rest[r.upperBound...]
            guard let id = Int64(rest.prefix { $0.isNumber }), rest.contains("}") else { break }
            ids.append(id)
        }
        return ids
    }
}
