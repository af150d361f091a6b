import Foundation
import Glibc
import Testing
import TickerTestSupport

/// Hostile WebSocket clients against the live server: each is closed with
/// the right code and counted, while a well-behaved client keeps every tick.
@Suite struct WebSocketHostileTests {
    /// Opens /ws on a raw socket, reads the 101 and the opening messages.
    func open(_ port: Int, _ query: String = "symbols=A", headers: [String: String?] = [:]) throws -> RawClient {
        let c = RawClient(port: port)
        c.write(RawClient.upgradeRequest(headers, path: "/ws?\(query)"))
        let head = c.readHead()
        guard head.hasPrefix("HTTP/1.1 101 ") else { throw TestError("no 101: \(head)") }
        let hello = c.readFrames(1)
        guard hello.first?.text.hasPrefix("{\"event\":\"hello\"") == true else { throw TestError("no hello: \(hello)") }
        return c
    }

    /// Sends `bytes` on an open socket; returns the server's close frame (code, reason).
    func closeAfter(_ c: RawClient, _ bytes: [UInt8]) -> (UInt16?, String) {
        c.write(bytes)
        let close = Frames.server(c.readToEnd())?.last { $0.opcode == Frames.close }
        return (close?.closeCode, close?.closeReason ?? "")
    }

    @Test func hostileFramesAreClosedWithTheirCodeAndOthersKeepTheirTicks() throws {
        let s = try TestServer(target: TestCluster.database()) {
            $0.corsOrigins = ["http://good.example"]
            $0.requestTimeoutSeconds = 1
        }
        let healthy = try PythonWebSocketClient(port: s.port, symbols: "A")
        #expect(healthy.wait(timeout: 20) { $0.helloCursor != nil }, "no hello: \(healthy.log)")
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")

        let cases: [(String, [UInt8], UInt16)] = [
            ("unmasked", Frames.client(Frames.text, Array("{\"subscribe\":[\"B\"]}".utf8), masked: false), 1002),
            ("oversized", Frames.client(text: String(repeating: "x", count: 5000)), 1009),
            ("fragmented ping", Frames.client(Frames.ping, [1, 2], fin: false), 1002),
            ("bad UTF-8", Frames.client(Frames.text, [0x7B, 0xC3, 0x28, 0x7D]), 1007),
            ("binary", Frames.client(Frames.binary, [1, 2, 3]), 1003),
            ("not a subscription", Frames.client(text: "{\"subscribe\":1}"), 1008),
            ("not JSON", Frames.client(text: "{\"subscribe\":[\"B\""), 1008),
            ("a bad symbol", Frames.client(text: "{\"subscribe\":[\"no spaces\"]}"), 1008),
        ]
        for (name, bytes, code) in cases {
            let c = try open(s.port)
            let (got, reason) = closeAfter(c, bytes)
            #expect(got == code, "\(name): closed with \(got.map(String.init) ?? "nothing") (\(reason))")
            if code == 1008 { #expect(!reason.isEmpty, "\(name): a close without a reason") }
        }

        // A refused origin, and a missing Upgrade, are plain answers.
        let evil = RawClient(port: s.port)
        evil.write(RawClient.upgradeRequest(["Origin": "http://evil.example"], path: "/ws?symbols=A"))
        #expect(evil.readHead().hasPrefix("HTTP/1.1 403 "))
        let plain = try HTTPTestClient.get(port: s.port, "/ws?symbols=A")
        #expect(plain.status == 426)
        // A slow handshake is cut by the request timeout, never upgraded.
        let slow = RawClient(port: s.port)
        slow.write(Array("GET /ws?symbols=A HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n".utf8))
        let started = Date()
        let rest = String(decoding: slow.readToEnd(), as: UTF8.self)
        #expect(!rest.contains("101"), "\(rest)")
        #expect(Date().timeIntervalSince(started) < 4.5, "the slow handshake was not cut")

        // The healthy client got every tick, including those sent meanwhile.
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 2), ('B', 3), ('A', 4)")
        let expected = try databaseIDs(s.target.adminURL, symbols: ["A"])
        #expect(healthy.wait(timeout: 10) { $0.ids.last == expected.last })
        #expect(healthy.ids == expected)

        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        for line in ["ticker_websocket_closes_total{code=\"1002\"} 2", "ticker_websocket_closes_total{code=\"1003\"} 1",
                     "ticker_websocket_closes_total{code=\"1007\"} 1", "ticker_websocket_closes_total{code=\"1008\"} 3",
                     "ticker_websocket_closes_total{code=\"1009\"} 1", "ticker_connections{transport=\"websocket\"} 1",
                     "ticker_streams_opened_total{transport=\"websocket\"} 9"] {
            #expect(metrics.contains(line + "\n"), "missing \(line)")
        }
    }
}

/// Backpressure on a socket: the stream's bounded output and conflation.
@Suite struct WebSocketBackpressureTests {
    @Test func aStalledSocketIsConflatedWhileAHealthyClientGetsEveryTick() throws {
        // Heartbeats every 3 s: the idle timeout (2.5 heartbeats) must not
        // fire while a loaded machine runs the feed below; 64 KiB of unsent
        // output starts conflation (the default is 256 KiB).
        let s = try TestServer(target: TestCluster.database()) {
            $0.heartbeatSeconds = 3
            $0.writeTimeoutSeconds = 300
            $0.streamOutputLimit = 64 * 1024
        }
        nonisolated(unsafe) let stalled = RawClient(port: s.port, receiveBuffer: 4096)
        stalled.write(RawClient.upgradeRequest(path: "/ws?symbols=A,B"))
        #expect(stalled.readHead().hasPrefix("HTTP/1.1 101 "))
        // It reads nothing, but is not idle: it pings (an app too busy to read).
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while done.wait(timeout: .now() + 0.5) == .timedOut { stalled.write(Frames.client(Frames.ping, [])) }
        }
        let healthy = try PythonWebSocketClient(port: s.port, symbols: "A,B")
        #expect(healthy.wait(timeout: 20) { $0.helloCursor != nil }, "no hello: \(healthy.log)")
        let total = 16 * 2500
        for _ in 0..<16 {
            try s.insert("INSERT INTO ticks (symbol, price, size) SELECT (ARRAY['A','B'])[1 + g % 2], g, g FROM generate_series(1, 2500) g")
        }
        let expected = try databaseIDs(s.target.adminURL)
        #expect(expected.count == total)
        #expect(healthy.wait(timeout: 60) { $0.lastID == expected.last }, "healthy: last \(healthy.lastID ?? -1)")
        #expect(healthy.ids == expected)
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        let conflated = metrics.split(separator: "\n").first { $0.hasPrefix("ticker_conflated_ticks_total ") }
        #expect(Int(conflated?.split(separator: " ").last ?? "0") ?? 0 > 1000, "\(conflated ?? "none")")
        // Once it reads again, it is told what it missed and gets the latest ticks.
        let last = Array("{\"event\":\"tick\",\"data\":{\"id\":\(expected.last!),".utf8)
        #expect(stalled.read { $0.suffix(70_000).firstRange(of: last) != nil })   // each read adds at most 64 KiB
        done.signal()
        let texts = (Frames.server(stalled.received) ?? []).filter { $0.opcode == Frames.text }.map(\.text)
        #expect(texts.contains { $0.hasPrefix("{\"event\":\"conflated\"") })
        let got = allTickIDs(texts.filter { $0.hasPrefix("{\"event\":\"tick\"") }.joined())
        #expect(got.count < expected.count && got == got.sorted() && got.last == expected.last)
    }
}
