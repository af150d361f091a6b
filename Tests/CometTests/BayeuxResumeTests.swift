import Foundation
import Postgres
import Testing
import TickerTestSupport

/// `ext.ticker.since` on `/meta/subscribe`, by raw HTTP: the ticks after the
/// cursor from memory, the snapshot without one or for a cursor this database
/// never had, an error for a cursor that is not an id.
@Suite struct BayeuxResumeTests {
    func subscribe(_ port: Int, _ id: String, _ channel: String, ext: String = "") throws -> BayeuxResponse {
        try bayeuxPost(port, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"\#(channel)"\#(ext)},"#
            + #"{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling"}]"#, timeout: 3)
    }

    func ids(_ body: String) -> [Int64] {
        body.components(separatedBy: #""ext":{"ticker":{"id":"#).dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
    }

    @Test func aSubscribeWithSinceGetsTheTicksAfterItAndOthersTheSnapshot() throws {
        let s = try TestServer(target: TestCluster.database())
        for i in 1...6 { try s.insert("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [i % 2 == 0 ? "B" : "A", String(i)]) }
        Thread.sleep(forTimeInterval: 0.3) // the server has read them
        // After 2: A's 3 and 5, in order.
        let resumed = try subscribe(s.port, try bayeuxHandshake(s.port), "/quotes/A", ext: #","ext":{"ticker":{"since":2}}"#)
        #expect(ids(resumed.body) == [3, 5], "\(resumed.body)")
        // No cursor: the latest of each symbol.
        let fresh = try subscribe(s.port, try bayeuxHandshake(s.port), "/quotes/*")
        #expect(ids(fresh.body) == [5, 6], "\(fresh.body)")
        // A cursor from another database: the snapshot.
        let unknown = try subscribe(s.port, try bayeuxHandshake(s.port), "/quotes/B", ext: #","ext":{"ticker":{"since":999}}"#)
        #expect(ids(unknown.body) == [6], "\(unknown.body)")
        // Up to date: nothing.
        let current = try subscribe(s.port, try bayeuxHandshake(s.port), "/quotes/B", ext: #","ext":{"ticker":{"since":6}}"#)
        #expect(ids(current.body).isEmpty && current.body.contains(#""channel":"/meta/subscribe","successful":true"#), "\(current.body)")
        // The handshake's cursor is the default of its subscribes.
        let handshake = try bayeuxPost(s.port, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"ext":{"ticker":{"since":4}}}"#)
        let id = try #require(handshake.body.range(of: #""clientId":""#).map { String(handshake.body[$0.upperBound...].prefix { $0 != "\"" }) })
        #expect(ids(try subscribe(s.port, id, "/quotes/**").body) == [5, 6])
        let bad = try subscribe(s.port, try bayeuxHandshake(s.port), "/quotes/A", ext: #","ext":{"ticker":{"since":"yesterday"}}"#)
        #expect(bad.body.contains("400::ext.ticker.since must be a tick id"), "\(bad.body)")
    }
}
