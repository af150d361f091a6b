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
