import Foundation
import Postgres
import TickerTestSupport

/// Opens a stream and waits for its `hello`.
func openStream(_ s: TestServer, _ query: String, headers: [String: String] = [:]) throws -> HTTPTestClient {
    let c = try HTTPTestClient(port: s.port, path: "/stream?\(query)", headers: headers)
    guard c.readUntil(timeout: 5, { $0.contains("hello") }) else { throw TestError("no hello on /stream?\(query): \(c.text.prefix(300))") }
    return c
}

/// Ids of every tick in the table, in order.
func databaseIDs(_ url: String, symbols: [String]? = nil) throws -> [Int64] {
    let c = try PGConnection(url)
    let r = symbols.map { try? c.exec("SELECT id FROM ticks WHERE symbol = ANY($1::text[]) ORDER BY id", [TickSQL.arrayLiteral($0)]) }
        ?? (try? c.exec("SELECT id FROM ticks ORDER BY id"))
    guard let r = r ?? nil else { return [] }
    return (0..<r.rowCount).compactMap { r.int64($0, 0) }
}

/// Ids of all ticks in a poll body or multipart/iframe text, in order of appearance.
func allTickIDs(_ text: String) -> [Int64] {
    var ids: [Int64] = []
    var rest = Substring(text)
    while let r = rest.range(of: "{\"id\":") {
        rest = rest[r.upperBound...]
        if let id = Int64(rest.prefix { $0.isNumber }) { ids.append(id) }
    }
    return ids
}

/// Inserts A and B ticks on a thread (reconnecting as a feed does) while
/// `cluster` is stopped fast, started, stopped immediately and started again;
/// returns when the feed has stopped, so the database then holds every tick.
func feedThroughRestarts(_ cluster: LocalCluster, feedURL: String) throws {
    let stop = DispatchSemaphore(value: 0)
    let fed = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        var conn: PGConnection?
        var i = 0
        while stop.wait(timeout: .now()) == .timedOut {
            i += 1
            do {
                if conn == nil { conn = try PGConnection(feedURL) }
                try conn!.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [i % 2 == 0 ? "A" : "B", String(i)])
            } catch {
                conn = nil
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        fed.signal()
    }
    defer {
        stop.signal()
        fed.wait()
    }
    Thread.sleep(forTimeInterval: 1)
    try cluster.stop(mode: "fast")
    Thread.sleep(forTimeInterval: 0.5)
    try cluster.start()
    Thread.sleep(forTimeInterval: 1)
    try cluster.stop(mode: "immediate")
    try cluster.start()
    Thread.sleep(forTimeInterval: 1.5)
}
