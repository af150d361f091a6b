import Foundation
import Testing
import TickerTestSupport

@Suite struct PollingTests {
    @Test func pollWithoutSinceGivesSnapshotAndCursor() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1), ('A', 2.5), ('B', 3)")
        Thread.sleep(forTimeInterval: 0.3)
        let r = try HTTPTestClient.get(port: s.port, "/poll?symbols=A")
        #expect(r.status == 200)
        #expect(r.body.hasPrefix("{\"cursor\":3,\"snapshot\":true,\"ticks\":[{\"id\":2,\"symbol\":\"A\",\"price\":\"2.5\""))
    }

    @Test func longPollIsHeldUntilATickArrives() throws {
        let s = try TestServer(target: TestCluster.database())
        let started = Date()
        let c = try HTTPTestClient(port: s.port, path: "/poll?symbols=A&since=0&wait=10")
        Thread.sleep(forTimeInterval: 0.5)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('B', 1), ('A', 2)")
        #expect(c.readUntil(timeout: 5) { $0.hasSuffix("]}") })
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(c.text == "{\"cursor\":2,\"ticks\":[" + c.text.split(separator: "[", maxSplits: 1)[1])
        #expect(allTickIDs(c.text) == [2])
    }

    /// Without keep-alive evhttp frees the connection as the answer ends; the
    /// poll was then found still tracked by the close callback, counted twice
    /// (`ticker_connections{transport="longpoll"}` went to -1 per poll) and
    /// its request freed again.
    @Test func http10LongPollsAreCountedOnceWhetherATickOrTheWaitEndsThem() throws {
        let s = try TestServer(target: TestCluster.database())
        func poll(_ query: String) throws -> HTTPTestClient {
            try HTTPTestClient(port: s.port, path: "", rawRequest: "GET /poll?\(query) HTTP/1.0\r\nHost: x\r\n\r\n")
        }
        let byTick = try poll("symbols=A&since=0&wait=10")
        let byWait = try poll("symbols=B&since=0&wait=1")
        Thread.sleep(forTimeInterval: 0.5)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 2)")
        #expect(byTick.readUntil(timeout: 5) { _ in false } == false, "answered, then closed")
        #expect(allTickIDs(byTick.text) == [1])
        #expect(byWait.readUntil(timeout: 5) { _ in false } == false)
        #expect(byWait.text == "{\"cursor\":1,\"ticks\":[]}")
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_connections{transport=\"longpoll\"} 0\n"), "\(metrics)")
        #expect(metrics.contains("ticker_polls_answered_total 2\n"), "\(metrics)")
    }

    @Test func longPollTimesOutAtTheServersCursor() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('B', 1)")
        Thread.sleep(forTimeInterval: 0.3)
        let r = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=1&wait=1")
        #expect(r.body == "{\"cursor\":1,\"ticks\":[]}")
        // A quiet symbol's poller moves on with the server while other symbols
        // tick, so it never falls off the tick log (it used to keep `since`).
        let held = try HTTPTestClient(port: s.port, path: "/poll?symbols=A&since=1&wait=2")
        Thread.sleep(forTimeInterval: 0.5)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('B', 2), ('B', 3)")
        #expect(held.readUntil(timeout: 5) { $0.contains("\"ticks\"") })
        #expect(held.text == "{\"cursor\":3,\"ticks\":[]}")
    }

    @Test func plainPollAnswersAtOnceAndJSONPIsSafe() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1), ('A', 2)")
        Thread.sleep(forTimeInterval: 0.3)
        let r = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=1&wait=0&callback=app.onTicks")
        #expect(r.header("content-type")?.hasPrefix("application/javascript") == true)
        #expect(r.header("x-content-type-options") == "nosniff")
        #expect(r.body.hasPrefix("/**/app.onTicks({\"cursor\":2,\"ticks\":[{\"id\":2,"))
        let bad = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=1&callback=alert(document.cookie)")
        #expect(bad.status == 400)
        #expect(bad.body.contains("plain JavaScript name"))
    }

    @Test(arguments: [
        ("/stream?symbol=AAPL", "unknown parameter 'symbol'; did you mean 'symbols'?"),
        ("/stream", "missing 'symbols'"),
        ("/stream?symbols=AAPL&transport=websocket", "unknown transport 'websocket'"),
        ("/stream?symbols=%3Cscript%3E", "may only contain A-Z"),
        ("/poll?symbols=A&since=abc", "'since' must be a tick id"),
        ("/poll?symbols=A&wait=999", "'wait' must be a whole number of seconds from 0 to 30"),
        ("/history?symbol=A&interval=7m", "unknown interval '7m'"),
        ("/history?symbol=A&from=yesterday", "'from' is not an ISO 8601 time"),
        ("/quotes?symbols=%ZZ", "bad percent-encoding"),
        ("/nope", "no such route or file"),
    ])
    func badInputGetsOneLineJSONError(path: String, message: String) throws {
        let s = try TestServer(target: TestCluster.database())
        let r = try HTTPTestClient.get(port: s.port, path)
        #expect((400...404).contains(r.status), "\(r.status) \(r.body)")
        #expect(r.header("content-type") == "application/json")
        #expect(r.body.hasPrefix("{\"error\":\"") && r.body.contains(message), "\(r.body)")
        #expect(r.body.split(separator: "\n").count == 1)
    }

    @Test func historyBarsEqualTheSameQuestionAskedInSQL() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("""
            INSERT INTO ticks (symbol, price, size, ts)
            SELECT 'A', 100 + (g % 17) - (g % 5) * 0.25, g, TIMESTAMPTZ '2026-11-24 12:00:00+00' + g * interval '7 seconds'
            FROM generate_series(0, 299) g
            """)
        let r = try HTTPTestClient.get(port: s.port, "/history?symbol=A&interval=1m&from=2026-11-24T12:05:00Z&to=2026-11-24T12:20:00Z")
        #expect(r.status == 200)
        let sql = try PGConnection(s.target.adminURL).exec("""
            SELECT count(*), min(price)::text, max(price)::text, sum(size) FROM ticks
            WHERE ts >= '2026-11-24 12:05:00+00' AND ts < '2026-11-24 12:20:00+00'
            """)
        let bars = r.body.components(separatedBy: "{\"time\":").dropFirst()
        #expect(bars.count == 15)
        #expect(r.body.hasPrefix("{\"symbol\":\"A\",\"interval\":\"1m\",\"bars\":[{\"time\":\"2026-11-24T12:05:00Z\""))
        let volumes = bars.compactMap { b in Int64(b.components(separatedBy: "\"volume\":")[1].prefix { $0.isNumber }) }
        #expect(volumes.reduce(0, +) == sql.int64(0, 3))
        let lows = bars.map { $0.components(separatedBy: "\"low\":\"")[1].prefix { $0 != "\"" } }
        #expect(lows.map { Double($0)! }.min() == Double(sql.string(0, 1)!))
        // Range edges: from inclusive, to exclusive.
        let edge = try HTTPTestClient.get(port: s.port, "/history?symbol=A&from=2026-11-24T12:00:07Z&to=2026-11-24T12:00:21Z")
        #expect(allTickIDs(edge.body) == [2, 3])
    }
}

import Postgres
