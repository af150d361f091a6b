import Foundation
import Glibc
import Postgres
import Testing
import TickerTestSupport

/// `/ws` end to end: a third-party client (Python `websockets`) against the
/// server and real PostgreSQL, compared with the database.
@Suite struct WebSocketTests {
    /// Ids of `symbols`' ticks after `cursor`, in order.
    func ids(_ s: TestServer, _ symbols: [String], after cursor: Int64) throws -> [Int64] {
        try databaseIDs(s.target.adminURL, symbols: symbols).filter { $0 > cursor }
    }

    /// One gauge or counter line's value from /metrics.
    func metric(_ port: Int, _ line: String) throws -> Int? {
        let body = try HTTPTestClient.get(port: port, "/metrics").body
        return body.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Int($0.split(separator: " ").last!) }
    }

    func feed(_ s: TestServer, _ symbols: [String], count: Int) throws {
        let c = try PGConnection(s.target.feedURL)
        for i in 0..<count {
            try c.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [symbols[i % symbols.count], String(i + 1)])
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    @Test func everyTickExactlyOnceAndSymbolsChangedMidStream() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1), ('B', 2), ('C', 3)")
        let both = try PythonWebSocketClient(port: s.port, symbols: "A,B")
        let changing = try PythonWebSocketClient(port: s.port, symbols: "A", ["--subscribe-after", "5", "--subscribe", "B",
                                                                           "--unsubscribe-after", "15", "--unsubscribe", "A"])
        #expect(both.wait(timeout: 20) { $0.helloCursor != nil }, "no hello: \(both.log)")
        #expect(changing.wait(timeout: 20) { $0.helloCursor != nil }, "no hello: \(changing.log)")
        #expect(try metric(s.port, "ticker_connections{transport=\"websocket\"}") == 2)
        try feed(s, ["A", "B", "C"], count: 90)

        let expected = try ids(s, ["A", "B"], after: both.helloCursor ?? 0)
        #expect(both.wait(timeout: 10) { $0.ids.last == expected.last })
        #expect(both.ids == expected, "got \(both.ids.count) of \(expected.count)")
        #expect(both.log.contains("snapshot {\"event\":\"snapshot\",\"data\":{\"ticks\":[{\"id\":1,\"symbol\":\"A\""))

        // A until the unsubscribe (a prefix of A's ticks), B from the subscribe
        // on (a suffix of B's), each exactly once; the snapshot of B between.
        Thread.sleep(forTimeInterval: 0.5)
        let after = changing.helloCursor ?? 0
        let aTicks = try ids(s, ["A"], after: after), bTicks = try ids(s, ["B"], after: after)
        let got = changing.ids
        let gotA = got.filter(aTicks.contains), gotB = got.filter(bTicks.contains)
        #expect(gotA.count + gotB.count == got.count, "a tick of another symbol: \(got)")
        #expect(gotA.count >= 5 && gotA.count < aTicks.count, "A stopped after the unsubscribe: \(gotA.count) of \(aTicks.count)")
        #expect(gotA == Array(aTicks.prefix(gotA.count)))
        #expect(!gotB.isEmpty && gotB == Array(bTicks.suffix(gotB.count)), "B from the subscribe on: \(gotB) of \(bTicks)")
        let log = changing.log
        #expect(log.contains("sent subscribe B") && log.contains("sent unsubscribe A"))
        let bSnapshot = log.split(separator: "\n").contains { $0.hasPrefix("snapshot ") && $0.contains("\"symbol\":\"B\"") && !$0.contains("\"symbol\":\"A\"") }
        #expect(bSnapshot, "no snapshot of B after subscribing: \(log)")

        #expect(try metric(s.port, "ticker_streams_opened_total{transport=\"websocket\"}") == 2)
        both.stop()
        changing.stop()
        let deadline = Date().addingTimeInterval(5)
        while try metric(s.port, "ticker_connections{transport=\"websocket\"}") != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try metric(s.port, "ticker_connections{transport=\"websocket\"}") == 0)
    }

    @Test func aPostgreSQLRestartMidFeedLosesAndRepeatsNothing() throws {
        let cluster = try TestCluster.isolated()
        let s = try TestServer(target: TestCluster.database(in: cluster))
        let client = try PythonWebSocketClient(port: s.port, symbols: "A,B")
        #expect(client.wait(timeout: 20) { $0.helloCursor != nil }, "no hello: \(client.log)")
        try feedThroughRestarts(cluster, feedURL: s.target.feedURL)
        let expected = try databaseIDs(s.target.adminURL)
        #expect(expected.count > 100)
        #expect(client.wait(timeout: 10) { $0.ids.last == expected.last }, "last \(client.ids.last ?? -1) of \(expected.last ?? -1)")
        #expect(client.ids == expected)
    }

    @Test func serverRestartsBySIGTERMAndKillLoseAndRepeatNothing() throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        func serve() throws -> ChildProcess {
            let p = try ChildProcess([tickerExecutable, "serve", "--port", "\(port)", "--database-url", db.serverURL,
                                      "--log-level", "error", "--workers", "1"], log: NSTemporaryDirectory() + "ws-serve-\(port).log")
            try waitForPort(port)
            return p
        }
        var server = try serve()
        let client = try PythonWebSocketClient(port: port, symbols: "A")
        #expect(client.wait(timeout: 20) { $0.helloCursor != nil }, "no hello: \(client.log)")
        try feedTicks(db.feedURL, count: 240, interval: 0.01) { i in
            if i == 80 { server.terminate(); server = try serve() }                                  // SIGTERM: bye, 1001
            if i == 160 {   // kill -9, once the client is back on the new server (bye asked it to wait 2 s)
                client.wait(timeout: 15) { $0.log.components(separatedBy: "\nhello ").count >= 3 }
                kill(server.pid, SIGKILL); server.stop(); server = try serve()
            }
        }
        let expected = try databaseIDs(db.adminURL)
        #expect(client.wait(timeout: 20) { $0.ids.last == expected.last }, "last \(client.ids.last ?? -1) of \(expected.last ?? -1): \(client.log)")
        server.terminate()
        #expect(client.ids == expected, "got \(client.ids.count) of \(expected.count)")
        let log = client.log
        #expect(log.contains("bye {\"event\":\"bye\""), "no bye before the restart: \(log)")
        #expect(log.contains("closed 1001 server shutting down"), "\(log)")
        #expect(log.split(separator: "\n").filter { $0.hasPrefix("hello ") }.count >= 3, "\(log)")
    }
}
