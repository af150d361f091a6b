import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Entitlements on the other routes: an all-delayed stream with plain ids,
/// a mixed poll with its `"L:D"` cursor (long poll and JSONP), `/quotes` and
/// `/history` as a delayed subscriber sees them, and a WebSocket that is
/// told `token-expired` and closed. Tokens from PyJWT.
@Suite(.serialized) struct AuthTransportTests {
    func server(_ mint: TokenMint, delay: Double = 2, heartbeat: Double = 1) throws -> TestServer {
        try TestServer(target: TestCluster.database()) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = delay
            $0.tokenLeewaySeconds = 0.5
            $0.heartbeatSeconds = heartbeat
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func anAllDelayedStreamHasPlainIdsAndWaitsForTheDelay() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        let token = try mint.hs256(TokenMint.claims(delayed: ["*"]))
        let c = try openStream(s, "symbols=MSFT&token=\(token)")
        #expect(c.text.contains("\"delay\":2,\"delayed\":[\"MSFT\"]"))
        let inserted = Date()
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 1), ('AAPL', 2), ('MSFT', 3)")
        #expect(c.readUntil(timeout: 8) { tickIDs(in: $0).count == 2 })
        #expect(Date().timeIntervalSince(inserted) >= 2)
        let ticks = parseSSE(c.text).filter { $0.event == "tick" }
        #expect(ticks.map(\.id) == ["1", "3"])
        #expect(ticks.allSatisfy { $0.data.hasSuffix(",\"delayed\":true}") })
        // Heartbeats carry the delay line's cursor, a plain id.
        #expect(c.readUntil(timeout: 3, contains: ": hb\nid: 3\n"))
    }

    @Test func aMixedPollAnswersWithAPairCursor() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1), ('MSFT', 2)")
        Thread.sleep(forTimeInterval: 2.5) // both released
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["M*"]))
        let first = try Self.json(HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL,MSFT&token=\(token)").body)
        #expect(first["cursor"] as? String == "2:2")
        #expect(first["snapshot"] as? Bool == true && first["delay"] as? Int == 2 && first["delayed"] as? [String] == ["MSFT"])
        // Live AAPL answers a held poll at once; delayed MSFT only after the delay.
        let held = try HTTPTestClient(port: s.port, path: "/poll?symbols=AAPL,MSFT&since=2:2&wait=10&token=\(token)")
        Thread.sleep(forTimeInterval: 0.3)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 3)")
        let inserted = Date()
        #expect(held.readUntil(timeout: 8) { $0.hasSuffix("]}") })
        #expect(Date().timeIntervalSince(inserted) >= 1.9)
        let body = try Self.json(held.text)
        #expect(body["cursor"] as? String == "3:3")
        #expect(allTickIDs(held.text) == [3])
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 4)")
        Thread.sleep(forTimeInterval: 0.3)
        let jsonp = try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL,MSFT&since=3:3&callback=cb&token=\(token)").body
        #expect(jsonp.hasPrefix("/**/cb({\"cursor\":\"4:3\",\"delay\":2,\"delayed\":[\"MSFT\"],\"ticks\":[{\"id\":4,"), "\(jsonp)")
        // A plain cursor on a mixed poll counts for both parts.
        let plain = try Self.json(HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL,MSFT&since=1&token=\(token)").body)
        #expect((plain["ticks"] as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [4, 2, 3])
        #expect(try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL&since=1:x&token=\(token)").status == 400)
    }

    @Test func quotesAndHistoryShowDelayedSymbolsLate() throws {
        let mint = try TokenMint()
        let s = try server(mint, delay: 600)
        // A session that began an hour ago holds all three ticks, whatever the time of day.
        try PGConnection(s.target.adminURL).exec("UPDATE market_session SET opens = ((now() - interval '1 hour') AT TIME ZONE 'UTC')::time")
        try s.insert("""
            INSERT INTO ticks (symbol, price, size, ts) VALUES
            ('MSFT', 111.5, 100, now() - interval '20 minutes'), ('AAPL', 2, 5, now()), ('MSFT', 333.5, 700, now())
            """)
        Thread.sleep(forTimeInterval: 0.5)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["*"]))
        let quotes = try HTTPTestClient.get(port: s.port, "/quotes?symbols=AAPL,MSFT&token=\(token)").body
        let q = try Self.json(quotes)
        #expect(q["cursor"] as? String == "3:1", "\(quotes)")
        #expect(q["delay"] as? Int == 600 && q["delayed"] as? [String] == ["MSFT"])
        #expect(allTickIDs(quotes) == [2, 1], "AAPL live; MSFT only what ts <= now - 10 min allows: \(quotes)")
        // The day's figures too: MSFT's only from the released tick, AAPL's live.
        let day = try #require(q["day"] as? [String: [String: Any]], "\(quotes)")
        #expect(day["MSFT"]?["open"] as? String == "111.5" && day["MSFT"]?["high"] as? String == "111.5", "\(quotes)")
        #expect(day["MSFT"]?["low"] as? String == "111.5" && day["MSFT"]?["volume"] as? Int == 100, "\(quotes)")
        #expect(day["MSFT"]?["reference"] as? String == "111.5", "\(quotes)")
        #expect(day["AAPL"]?["high"] as? String == "2" && day["AAPL"]?["volume"] as? Int == 5, "\(quotes)")
        // A server started now rebuilds the same line from PostgreSQL.
        let restarted = try TestServer(target: s.target) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = 600
        }
        #expect(try HTTPTestClient.get(port: restarted.port, "/quotes?symbols=AAPL,MSFT&token=\(token)").body == quotes)
        let metrics = try HTTPTestClient.get(port: restarted.port, "/metrics").body
        #expect(metrics.contains("ticker_delayed_ticks_held 2\n") && metrics.contains("ticker_delayed_cursor 1\n"))
        restarted.stop()
        let history = try HTTPTestClient.get(port: s.port, "/history?symbol=MSFT&token=\(token)").body
        #expect(allTickIDs(history) == [1], "\(history)")
        // Bars without `from` reach back from the newest released tick, not the live one.
        let bars = try Self.json(HTTPTestClient.get(port: s.port, "/history?symbol=MSFT&interval=1s&token=\(token)").body)
        let shown = try #require(bars["bars"] as? [[String: Any]], "\(bars)")
        #expect(shown.count == 1 && shown.first?["open"] as? String == "111.5" && shown.first?["volume"] as? Int == 100, "\(bars)")
        let live = try HTTPTestClient.get(port: s.port, "/history?symbol=MSFT&token=\(try mint.hs256(TokenMint.claims(realtime: ["*"])))").body
        #expect(allTickIDs(live) == [1, 3])
        let board = try HTTPTestClient.get(port: s.port, "/board?symbols=MSFT&token=\(token)")
        #expect(board.status == 200 && board.body.contains("111.5") && !board.body.contains("333.5"), "\(board.body.suffix(600))")
        // The delayed image is its own: not the live one's frame.
        let image = try HTTPTestClient.get(port: s.port, "/ticker.png?symbols=MSFT&once=1&token=\(token)")
        let liveImage = try HTTPTestClient.get(port: s.port, "/ticker.png?symbols=MSFT&once=1&token=\(try mint.hs256(TokenMint.claims(realtime: ["*"])))")
        #expect(image.status == 200 && image.header("content-type") == "image/png" && liveImage.status == 200)
        #expect(image.body != liveImage.body)
        let pushed = try HTTPTestClient(port: s.port, path: "/ticker.png?symbols=MSFT&token=\(token)")
        #expect(pushed.readUntil(timeout: 5) { $0.count > 100 })
        #expect(pushed.headers["content-type"]?.hasPrefix("multipart/x-mixed-replace") == true)
    }

    @Test func aWebSocketIsToldItsTokenExpired() throws {
        let mint = try TokenMint()
        let s = try server(mint, heartbeat: 10)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], expiresIn: 3))
        // (A raw client answers no pings: heartbeats slower than its expiry keep it from idling out.)
        let c = RawClient(port: s.port)
        c.write(RawClient.upgradeRequest(path: "/ws?symbols=AAPL&token=\(token)"))
        #expect(c.readHead().hasPrefix("HTTP/1.1 101"))
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1)")
        let frames = Frames.server(c.readToEnd()) ?? []
        let texts = frames.filter { $0.opcode == Frames.text }.map(\.text)
        #expect(texts.contains("{\"event\":\"token-expired\",\"data\":{\"cursor\":1}}"), "\(texts)")
        let close = frames.last { $0.opcode == Frames.close }
        #expect(close?.closeCode == 1008 && close?.closeReason == "token expired")
        // A subscribe outside the token's symbols closes the socket, naming them.
        let other = RawClient(port: s.port)
        other.write(RawClient.upgradeRequest(path: "/ws?symbols=AAPL&token=\(try mint.hs256(TokenMint.claims(realtime: ["AAPL"])))"))
        #expect(other.readHead().hasPrefix("HTTP/1.1 101"))
        other.write(Frames.client(text: "{\"subscribe\":[\"MSFT\"]}"))
        let refused = (Frames.server(other.readToEnd()) ?? []).last { $0.opcode == Frames.close }
        #expect(refused?.closeCode == 1008 && refused?.closeReason == "not entitled to MSFT")
    }

    @Test func aWebSocketMixesLiveAndDelayedWithPairIds() throws {
        let mint = try TokenMint()
        let s = try server(mint, heartbeat: 10)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["*"]))
        let c = RawClient(port: s.port)
        c.write(RawClient.upgradeRequest(path: "/ws?symbols=AAPL,MSFT&token=\(token)"))
        #expect(c.readHead().hasPrefix("HTTP/1.1 101"))
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 1), ('AAPL', 2)")
        let inserted = Date()
        func texts() -> [String] { (Frames.server(c.received) ?? []).filter { $0.opcode == Frames.text }.map(\.text) }
        #expect(c.read { _ in texts().contains { $0.contains("\"symbol\":\"MSFT\"") } })
        #expect(Date().timeIntervalSince(inserted) >= 1.9)
        let all = texts()
        #expect(all.first == "{\"event\":\"hello\",\"data\":{\"cursor\":\"0:0\",\"heartbeat\":10,\"symbols\":[\"AAPL\",\"MSFT\"],\"database\":\"up\",\"delay\":2,\"delayed\":[\"MSFT\"]}}", "\(all)")
        let ticks = all.filter { $0.hasPrefix("{\"event\":\"tick\"") }
        #expect(ticks.count == 2)
        #expect(ticks.first?.hasSuffix("\"},\"id\":\"2:0\"}") == true, "\(ticks)")
        #expect(ticks.last?.hasSuffix(",\"delayed\":true},\"id\":\"2:1\"}") == true, "\(ticks)")
        // Subscribing puts the symbol in the leg its token gives it.
        c.write(Frames.client(text: "{\"subscribe\":[\"NVDA\"]}"))
        #expect(c.read { _ in texts().count > all.count })
        // (The delay line released 1 and 2 together: both hubs are at 2.)
        #expect(texts().last == "{\"event\":\"snapshot\",\"data\":{\"ticks\":[]},\"id\":\"2:2\"}", "\(texts().last ?? "")")
    }

    @Test func aDelayedCursorAheadOfThisLineWaitsInsteadOfResetting() throws {
        let mint = try TokenMint()
        let s = try server(mint, delay: 1)
        let token = try mint.hs256(TokenMint.claims(delayed: ["*"]))
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 1)")
        Thread.sleep(forTimeInterval: 0.3)
        // As from another worker whose line released tick 1 a moment earlier.
        let r = try HTTPTestClient.get(port: s.port, "/poll?symbols=MSFT&since=1&token=\(token)")
        #expect(r.body == "{\"cursor\":1,\"delay\":1,\"delayed\":[\"MSFT\"],\"ticks\":[]}", "\(r.body)")
    }

    @Test func everyStreamingTransportCarriesThePairIds() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["MSFT"]))
        let streams = try ["sse", "xhr", "iframe", "multipart"].map {
            try openStream(s, "symbols=AAPL,MSFT&transport=\($0)&token=\(token)")
        }
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1)")
        let expected = ["id: 1:0\nevent: tick\n", "id: 1:0\nevent: tick\n", ",\"1:0\")</script>", "],\"id\":\"1:0\"}"]
        for (c, text) in zip(streams, expected) {
            #expect(c.readUntil(timeout: 5, contains: text), "\(c.text.suffix(300))")
        }
    }
}
