import Foundation
import Testing
import TickerTestSupport

/// The traps of libevent 2.1 (LIBEVENT-LIBPQ.md), each held by a test.
@Suite struct HardeningTests {
    func metric(_ port: Int, _ name: String) throws -> Int {
        let body = try HTTPTestClient.get(port: port, "/metrics").body
        let line = body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return Int(line?.split(separator: " ").last ?? "-1") ?? -1
    }

    @Test func aHalfSentRequestIsDroppedButAnIdleStreamLives() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.requestTimeoutSeconds = 1; $0.heartbeatSeconds = 30 }
        let slow = try HTTPTestClient(port: s.port, path: "", rawRequest: "GET /health HTTP/1.1\r\nHost: x\r\n")
        let stream = try openStream(s, "symbols=A")
        #expect(!slow.readUntil(timeout: 4) { _ in false })
        #expect(slow.closed, "a slowloris request must be dropped after the request timeout")
        // The stream has sent nothing for 4 s (heartbeat 30 s) and is still open.
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")
        #expect(stream.readUntil(timeout: 5) { $0.contains("event: tick") })
        #expect(!stream.closed)
    }

    @Test func oversizedHeadersAndURLsAreRefused() throws {
        let s = try TestServer(target: TestCluster.database())
        let big = try HTTPTestClient.get(port: s.port, "/health", headers: ["X-Big": String(repeating: "a", count: 20_000)])
        #expect(big.status == 400 || big.status == 413 || big.status == 431 || big.status == 0)
        let long = try HTTPTestClient.get(port: s.port, "/quotes?symbols=" + String(repeating: "A,", count: 3000))
        #expect(long.status == 414 || long.status == 400)
        // Methods a route does not serve: 405, `Allow`, and the API's one-line JSON.
        for path in ["/health", "/poll?symbols=A", "/stream?symbols=A", "/index.html"] {
            for verb in ["POST", "PUT", "DELETE"] {
                let method = try HTTPTestClient(port: s.port, path: path, headers: ["Content-Length": "0", "Connection": "close"], method: verb)
                method.readUntil(timeout: 3) { _ in false }
                #expect(method.status == 405, "\(verb) \(path)")
                #expect(method.headers["allow"] == "GET, HEAD, OPTIONS")
                #expect(method.text.hasPrefix("{\"error\":\"\(verb) is not allowed on "))
            }
        }
        // And it still serves others.
        #expect(try HTTPTestClient.get(port: s.port, "/health").status == 200)
    }

    @Test func closedStreamsAreForgottenAndTheCapHolds() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.maxConnections = 5 }
        var streams = try (0..<5).map { _ in try openStream(s, "symbols=A") }
        #expect(try metric(s.port, "ticker_connections{transport=\"sse\"}") == 5)
        // Past the cap new streams get a 503 at once; /metrics and /health still answer.
        let refused = try HTTPTestClient.get(port: s.port, "/stream?symbols=A")
        #expect(refused.status == 503)
        #expect(refused.body.contains("connection limit"))
        for c in streams { c.close() }
        streams.removeAll()
        // The server notices the closes (on its next write: a heartbeat or a tick).
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")
        Thread.sleep(forTimeInterval: 0.5)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 2)")
        var open = -1
        for _ in 0..<20 {
            open = try metric(s.port, "ticker_connections{transport=\"sse\"}")
            if open == 0 { break }
            Thread.sleep(forTimeInterval: 0.25)
        }
        #expect(open == 0)
        let again = try openStream(s, "symbols=A")
        #expect(again.text.contains("hello"))
    }

    @Test func oneAddressCannotTakeMoreThanItsShare() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.maxConnectionsPerAddress = 3 }
        var held = try (0..<3).map { _ in try openStream(s, "symbols=A") }
        let fourth = try HTTPTestClient.get(port: s.port, "/stream?symbols=A")
        #expect(fourth.status == 503)
        #expect(fourth.body.contains("too many connections from your address (at most 3)"))
        let parked = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=0&wait=5")
        #expect(parked.status == 503)
        #expect(try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=0&wait=0").status == 200) // answered at once: not held
        held.removeLast().close()
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)") // a write shows the server the close
        var reopened: HTTPTestClient?
        for _ in 0..<20 where reopened == nil {
            Thread.sleep(forTimeInterval: 0.2)
            reopened = try? openStream(s, "symbols=A")
        }
        #expect(reopened != nil)
    }

    @Test func shutdownEndsStreamsWithARetryHint() throws {
        let s = try TestServer(target: TestCluster.database())
        let c = try openStream(s, "symbols=A")
        let poll = try HTTPTestClient(port: s.port, path: "/poll?symbols=A&since=0&wait=20")
        Thread.sleep(forTimeInterval: 0.3)
        s.stop()
        #expect(c.readUntil(timeout: 3) { $0.contains("event: bye") })
        #expect(c.text.contains("\"retry\":"))
        #expect(poll.readUntil(timeout: 3) { $0.contains("\"ticks\":[]") })
        #expect(poll.text.contains("\"bye\":true,\"retry\":"), "a held poll says why it ends: \(poll.text)")
        #expect(throws: (any Error).self) { _ = try HTTPTestClient.get(port: s.port, "/health", timeout: 1).status == 200 ? () : { throw TestError("refused") }() }
        // The listening socket is closed, not just paused: the port is free for the next server at once.
        let next = try TestServer(target: s.target) { $0.port = s.port }
        // It answers at once; /health says 200 once its LISTEN connection is up (503 until then).
        var status = try HTTPTestClient.get(port: next.port, "/health").status
        for _ in 0..<50 where status != 200 {
            #expect(status == 503)
            Thread.sleep(forTimeInterval: 0.1)
            status = try HTTPTestClient.get(port: next.port, "/health").status
        }
        #expect(status == 200)
    }
}
