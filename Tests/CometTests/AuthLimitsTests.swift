import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Outside input at its limits, end to end: a signed token whose `exp` and
/// `nbf` are absurd, a `/ticker.png` stream outliving its token, and a tick
/// whose `ts` is years ahead in front of delayed subscribers (also across a
/// restart). Tokens from PyJWT.
@Suite(.serialized) struct AuthLimitsTests {
    func server(_ target: DatabaseTarget, _ mint: TokenMint, delay: Double = 1) throws -> TestServer {
        try TestServer(target: target) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = delay
            $0.tokenLeewaySeconds = 0.5
            $0.heartbeatSeconds = 10
        }
    }

    @Test func anExpYearsAheadNeitherCrashesNorEndsStreamsSocketsOrSessions() throws {
        let mint = try TokenMint()
        let s = try server(TestCluster.database(), mint)
        // "Fatal error: Double value cannot be converted to Int" took the server down.
        let token = try mint.hs256(#"{"sub":"t","exp":1e300,"nbf":1e-300,"ticker":{"realtime":["AAPL"],"delayed":["*"]}}"#)
        let plain = try openStream(s, "symbols=AAPL&token=\(token)")
        let mixed = try openStream(s, "symbols=AAPL,MSFT&token=\(token)")
        var sockets: [RawClient] = []
        for symbols in ["AAPL", "AAPL,MSFT"] {
            let c = RawClient(port: s.port)
            c.write(RawClient.upgradeRequest(path: "/ws?symbols=\(symbols)&token=\(token)"))
            #expect(c.readHead().hasPrefix("HTTP/1.1 101"))
            sockets.append(c)
        }
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1)")
        #expect(plain.readUntil(timeout: 5) { tickIDs(in: $0) == [1] })
        #expect(mixed.readUntil(timeout: 5) { tickIDs(in: $0) == [1] })
        for c in sockets {
            #expect(c.read { String(decoding: $0, as: UTF8.self).contains("\"symbol\":\"AAPL\"") })
        }
        // And a Bayeux session.
        let handshake = try bayeuxPost(s.port, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"ext":{"ticker":{"token":"\#(token)"}}}"#).body
        #expect(handshake.contains(#""successful":true"#), "\(handshake)")
        #expect(try HTTPTestClient.get(port: s.port, "/health").status == 200)
        #expect(!plain.closed && !mixed.closed)
    }

    @Test func aTickerImageStreamEndsWithItsToken() throws {
        let mint = try TokenMint()
        let s = try server(TestCluster.database(), mint)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], expiresIn: 2))
        let image = try HTTPTestClient(port: s.port, path: "/ticker.png?symbols=AAPL&token=\(token)")
        #expect(image.readUntil(timeout: 5) { $0.count > 100 })
        image.read(for: 8)
        #expect(image.closed, "the image stream outlived its token")
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_image_viewers 0\n"), "\(metrics)")
    }

    @Test func aTickFromTheFutureHoldsNoDelayedTickBackEvenAfterARestart() throws {
        let mint = try TokenMint()
        let target = try TestCluster.database()
        var s = try server(target, mint)
        let token = try mint.hs256(TokenMint.claims(delayed: ["*"]))
        let c = try openStream(s, "symbols=MSFT&token=\(token)")
        try s.insert("INSERT INTO ticks (symbol, price, ts) VALUES ('MSFT', 1, '2030-01-01T00:00:00Z')")
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 2)")
        var inserted = Date()
        #expect(c.readUntil(timeout: 6) { tickIDs(in: $0) == [1, 2] }, "\(c.text.suffix(300))")
        #expect(Date().timeIntervalSince(inserted) >= 0.9)
        Thread.sleep(forTimeInterval: 1.2) // tick 2 is past its delay too when the server restarts
        s.stop()

        // The restart does not hold the line at the 2030 tick, nor send it again.
        s = try server(target, mint)
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_delayed_cursor 2\n") && metrics.contains("ticker_delayed_ticks_held 0\n"), "\(metrics)")
        let resumed = try openStream(s, "symbols=MSFT&since=2&token=\(token)")
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 3)")
        inserted = Date()
        #expect(resumed.readUntil(timeout: 6) { tickIDs(in: $0) == [3] }, "\(resumed.text.suffix(300))")
        #expect(Date().timeIntervalSince(inserted) >= 0.9)

        // A 2030 tick that arrives last before a restart is held one delay after it, then released.
        try s.insert("INSERT INTO ticks (symbol, price, ts) VALUES ('MSFT', 4, '2030-01-01T00:00:00Z')")
        s.stop()
        s = try server(target, mint)
        let again = try openStream(s, "symbols=MSFT&since=3&token=\(token)")
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 5)")
        #expect(again.readUntil(timeout: 6) { tickIDs(in: $0) == [4, 5] }, "\(again.text.suffix(300))")
        s.stop()
    }
}
