import Foundation
import Postgres
import Quotes
import Testing
import TickerTestSupport

/// The issue's end-to-end promise: a token with realtime AAPL and delayed
/// `*`, an SSE subscriber to AAPL,MSFT on a server with `--delay 2s`: AAPL
/// ticks at once, each MSFT tick no earlier than its `ts` + 2 s, both exactly
/// once against the database, across a server restart and a token refresh.
@Suite(.serialized) struct AuthDelayTests {
    /// Server-sent events as they arrive, each with the time it arrived.
    final class Recorder {
        var events: [(event: SSEEvent, at: Double)] = []
        private var consumed = 0

        /// Reads `c` until `done` holds, the stream ends, or `timeout` passes.
        @discardableResult
        func read(_ c: HTTPTestClient, timeout: Double, until done: (Recorder) -> Bool = { _ in false }) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                c.readUntil(timeout: 0.05) { $0.utf8.count > self.consumed }
                let bytes = Array(c.text.utf8)
                if let end = Self.lastBlankLine(bytes, from: consumed) {
                    let now = Date().timeIntervalSince1970
                    for e in parseSSE(String(decoding: bytes[consumed..<end], as: UTF8.self)) { events.append((e, now)) }
                    consumed = end
                }
                if done(self) { return true }
                if c.closed { return false }
            }
            return false
        }

        static func lastBlankLine(_ b: [UInt8], from start: Int) -> Int? {
            var i = b.count - 1
            while i > start { if b[i] == 10, b[i - 1] == 10 { return i + 1 }; i -= 1 }
            return nil
        }

        func named(_ name: String) -> [SSEEvent] { events.map(\.event).filter { $0.event == name } }
        var lastID: String? { events.last { $0.event.id != nil }?.event.id }
    }

    /// A feed inserting AAPL and MSFT ticks on its own connection until stopped.
    final class Feed: @unchecked Sendable {
        private let stopped = DispatchSemaphore(value: 0)
        private let done = DispatchSemaphore(value: 0)

        init(url: String) {
            Thread.detachNewThread { [self] in
                let c = try? PGConnection(url)
                var i = 0
                while stopped.wait(timeout: .now() + 0.08) == .timedOut {
                    i += 1
                    _ = try? c?.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [i % 2 == 0 ? "AAPL" : "MSFT", "\(100 + i)"])
                }
                done.signal()
            }
        }

        func stop() {
            stopped.signal()
            done.wait()
        }
    }

    func server(_ target: DatabaseTarget, _ mint: TokenMint) throws -> TestServer {
        try TestServer(target: target) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = 2
            $0.tokenLeewaySeconds = 0.5
            $0.heartbeatSeconds = 1
        }
    }

    struct Seen {
        let id: Int64
        let symbol: String
        let tsMicros: Int64
        let delayed: Bool
        let at: Double
        let phaseStart: Double
    }

    static func ticks(_ r: Recorder, phaseStart: Double) throws -> [Seen] {
        try r.named("tick").map { e in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(e.data.utf8)) as? [String: Any])
            let at = r.events.first { $0.event == e }!.at
            let ts = try #require(TimestampText.micros(Array((o["ts"] as! String).utf8)[...]))
            #expect(e.id?.contains(":") == true, "a mixed stream's ids are pairs: \(e.id ?? "none")")
            return Seen(id: (o["id"] as! NSNumber).int64Value, symbol: o["symbol"] as! String, tsMicros: ts,
                        delayed: o["delayed"] as? Bool == true, at: at, phaseStart: phaseStart)
        }
    }

    @Test func liveAndDelayedExactlyOnceAcrossRestartAndTokenRefresh() throws {
        let mint = try TokenMint()
        let target = try TestCluster.database()
        let grant = { (expiresIn: Double) in try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["*"], expiresIn: expiresIn)) }
        var seen: [Seen] = []

        // 1. Fresh, then the server restarts under the stream.
        var s = try server(target, mint)
        var start = Date().timeIntervalSince1970
        let first = try HTTPTestClient(port: s.port, path: "/stream?symbols=AAPL,MSFT&token=\(try grant(600))")
        let r1 = Recorder()
        #expect(r1.read(first, timeout: 5) { !$0.named("hello").isEmpty })
        let hello = try #require(r1.named("hello").first).data
        #expect(hello.contains("\"delay\":2,\"delayed\":[\"MSFT\"]") && hello.contains("\"cursor\":\""), "\(hello)")
        let feed = Feed(url: target.feedURL)
        r1.read(first, timeout: 4)
        s.stop()
        r1.read(first, timeout: 3)
        #expect(!r1.named("bye").isEmpty)
        seen += try Self.ticks(r1, phaseStart: start)
        let afterRestart = try #require(r1.lastID)

        // 2. A new server resumes by Last-Event-ID (L:D); the token expires.
        s = try server(target, mint)
        start = Date().timeIntervalSince1970
        let second = try HTTPTestClient(port: s.port, path: "/stream?symbols=AAPL,MSFT&token=\(try grant(3))",
                                        headers: ["Last-Event-ID": afterRestart])
        let r2 = Recorder()
        #expect(r2.read(second, timeout: 10) { !$0.named("token-expired").isEmpty })
        #expect(r2.read(second, timeout: 3) { _ in false } == false && second.closed, "the server closes an expired stream")
        #expect(r2.named("snapshot").isEmpty, "a resume has no snapshot")
        seen += try Self.ticks(r2, phaseStart: start)
        let expired = try #require(r2.named("token-expired").first).data
        let cursor = try #require(expired.split(separator: "\"").dropFirst(3).first, "\(expired)")

        // 3. A fresh token resumes from the token-expired cursor; the feed stops; every tick arrives.
        start = Date().timeIntervalSince1970
        let third = try HTTPTestClient(port: s.port, path: "/stream?symbols=AAPL,MSFT&since=\(cursor)&token=\(try grant(600))")
        let r3 = Recorder()
        r3.read(third, timeout: 1.5)
        feed.stop()
        let lastOfEach = try [databaseIDs(target.serverURL, symbols: ["AAPL"]).last, databaseIDs(target.serverURL, symbols: ["MSFT"]).last]
        r3.read(third, timeout: 10) { r in
            let ids = Set(((try? Self.ticks(r, phaseStart: start)) ?? []).map(\.id))
            return lastOfEach.allSatisfy { $0.map(ids.contains) ?? true }
        }
        seen += try Self.ticks(r3, phaseStart: start)
        third.close()

        let aapl = try databaseIDs(target.serverURL, symbols: ["AAPL"])
        let msft = try databaseIDs(target.serverURL, symbols: ["MSFT"])
        #expect(aapl.count > 20 && msft.count > 20)
        #expect(seen.filter { $0.symbol == "AAPL" }.map(\.id) == aapl, "AAPL exactly once, in order")
        #expect(seen.filter { $0.symbol == "MSFT" }.map(\.id) == msft, "MSFT exactly once, in order")
        for t in seen where t.symbol == "MSFT" {
            #expect(t.delayed)
            #expect(t.at * 1_000_000 >= Double(t.tsMicros + 2_000_000), "MSFT \(t.id) came \(t.at - Double(t.tsMicros) / 1e6) s after its ts")
        }
        for t in seen where t.symbol == "AAPL" {
            #expect(!t.delayed)
            // Live: a tick made while connected is not held back by the delay.
            if Double(t.tsMicros) / 1e6 > t.phaseStart + 0.5 {
                #expect(t.at - Double(t.tsMicros) / 1e6 < 2, "AAPL \(t.id) came \(t.at - Double(t.tsMicros) / 1e6) s after its ts")
            }
        }
    }
}
