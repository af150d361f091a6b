import Foundation
import Postgres
import Testing
import TickerTestSupport

/// The dashboard on a server that asks for tokens (`--auth-key-file`), in
/// Chromium: opened with `?token=`, a realtime row is live and a delayed row
/// says "delayed"; a token that expires mid-stream is renewed through the
/// page's token function, and every tick arrives once (against the database).
@Suite(.serialized) struct AuthBrowserTests {
    /// An HS256 secret for the server, and tokens for it minted by PyJWT.
    struct Tokens {
        let secretFile: String

        init() throws {
            let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ticker-browser-auth-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            secretFile = folder.appendingPathComponent("secret").path
            try (UUID().uuidString + UUID().uuidString + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        }

        /// By default realtime AAPL and NV*, everything else delayed; expiring `expiresIn` s from now.
        func mint(expiresIn: Double, realtime: String = #"["AAPL","NV*"]"#, delayed: String = #"["*"]"#) throws -> String {
            let exp = Int(Date().timeIntervalSince1970 + expiresIn)
            let claims = #"{"sub":"browser","exp":\#(exp),"ticker":{"realtime":\#(realtime),"delayed":\#(delayed)}}"#
            let p = Process()
            p.executableURL = URL(fileURLWithPath: PythonWebSocketClient.python)
            p.arguments = [PythonWebSocketClient.root.appendingPathComponent("Tests/python/mint_token.py").path,
                           "--key", secretFile, "--alg", "HS256", "--claims", claims]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let token = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw TestError("mint_token.py failed") }
            return token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    func server(_ tokens: Tokens) throws -> TestServer {
        try TestServer(target: TestCluster.database()) {
            $0.authKeyFile = URL(fileURLWithPath: tokens.secretFile)
            $0.delaySeconds = 2
            $0.tokenLeewaySeconds = 0
            $0.heartbeatSeconds = 1
        }
    }

    /// The ids the page showed live equal the database's ids after the page's
    /// first cursor (for a pair `L:D`: live symbols after L, delayed after D), each once.
    func expectEveryTickOnce(_ browser: Browser, _ s: TestServer, live: [String], delayed: [String]) throws {
        let got = ((try browser.run("return window.tickIds")) as? [Int] ?? []).map(Int64.init)
        let initial = try browser.run("return String(window.tickerConnection._connection.initialCursor)") as? String ?? ""
        let parts = initial.split(separator: ":").compactMap { Int64($0) }
        let (l, d) = (parts.first ?? -1, parts.last ?? -1)
        let rows = try PGConnection(s.target.adminURL).exec(
            "SELECT id FROM ticks WHERE (symbol = ANY($1::text[]) AND id > $2) OR (symbol = ANY($3::text[]) AND id > $4) ORDER BY id",
            ["{\(live.joined(separator: ","))}", String(l), "{\(delayed.joined(separator: ","))}", String(d)])
        let ids = (0..<rows.rowCount).compactMap { rows.int64($0, 0) }
        #expect(l >= 0 && d >= 0, "first cursor: \(initial)")
        #expect(!ids.isEmpty)
        #expect(Set(got).count == got.count, "a tick shown twice")
        #expect(got.sorted() == ids, "received \(got.count) ticks, the database has \(ids.count) after \(initial)")
    }

    @Test func aRealtimeRowIsLiveAndADelayedRowSaysSo() throws {
        let tokens = try Tokens()
        let s = try server(tokens)
        let token = try tokens.mint(expiresIn: 600)
        let browser = try Browser()
        let feeder = Feeder(url: s.target.feedURL, symbols: ["AAPL", "MSFT"], interval: 0.2)
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=AAPL,MSFT&token=\(token)")
        // Tabs share one connection by default: the leader tab holds the token.
        let shown = browser.waitFor("""
            var msft = document.querySelector('[data-symbol=MSFT]');
            return document.querySelector('[data-testid=transport]').textContent === 'websocket' &&
              msft.getAttribute('data-delayed') === '2' && window.tickIds.length > 6
            """, timeout: 20)
        #expect(shown, "transport \((try? browser.text("[data-testid=transport]")) ?? "?"), ticks \((try? browser.run("return window.tickIds.length")) ?? "?")")
        #expect(try browser.text("[data-symbol=MSFT] [data-field=note]") == "delayed 2 s")
        #expect(try browser.text("[data-symbol=AAPL] [data-field=note]") == "")
        #expect(try browser.run("return document.querySelector('[data-symbol=AAPL]').hasAttribute('data-delayed')") as? Bool == false)
        #expect(try browser.text("[data-testid=delay]") == "2 s")
        // The token left the address bar (kept in memory): the rest of the address stays.
        let address = try browser.run("return location.href") as? String ?? ""
        #expect(!address.contains("token") && address.contains("symbols=AAPL"), "\(address)")
        feeder.stop()
        Thread.sleep(forTimeInterval: 3.5)   // the delay, and the last delayed ticks on their way
        try expectEveryTickOnce(browser, s, live: ["AAPL"], delayed: ["MSFT"])
        for sym in ["AAPL", "MSFT"] {
            let last = try PGConnection(s.target.adminURL).exec("SELECT price::text FROM ticks WHERE symbol = $1 ORDER BY id DESC LIMIT 1", [sym]).string(0, 0)
            #expect(try browser.text("[data-symbol=\(sym)] [data-field=price]") == last)
        }
        #expect(try browser.run("return document.querySelector('[data-testid=banner]').hidden") as? Bool == true)
    }

    @Test func aSymbolOutsideTheClaimsShowsTheServersReason() throws {
        let tokens = try Tokens()
        let s = try server(tokens)
        let token = try tokens.mint(expiresIn: 600, realtime: #"["AAPL"]"#, delayed: "[]")
        let browser = try Browser()
        let feeder = Feeder(url: s.target.feedURL, symbols: ["AAPL", "MSFT"], interval: 0.2)
        defer { feeder.stop() }
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=AAPL,MSFT&share=0&token=\(token)")
        #expect(browser.waitFor("""
            return document.querySelector('[data-symbol=MSFT]').getAttribute('data-refused') === 'not entitled to MSFT' &&
              document.querySelector('[data-testid=transport]').textContent === 'websocket' && window.tickIds.length > 2
            """, timeout: 20))
        #expect(try browser.text("[data-symbol=MSFT] [data-field=note]") == "not entitled to MSFT")
    }

    /// A delayed symbol added on a socket opened with live symbols only: the
    /// server closes it (1008), the page opens one with both, and loses nothing.
    @Test func addingADelayedSymbolToALiveSocketReopensItWithBoth() throws {
        let tokens = try Tokens()
        let s = try server(tokens)
        let token = try tokens.mint(expiresIn: 600)
        let browser = try Browser()
        let feeder = Feeder(url: s.target.feedURL, symbols: ["AAPL", "MSFT"], interval: 0.2)
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=AAPL&share=0&token=\(token)")
        #expect(browser.waitFor("return document.querySelector('[data-testid=transport]').textContent === 'websocket' && window.tickIds.length > 3", timeout: 15))
        _ = try browser.run("document.getElementById('symbol-input').value = 'MSFT'; document.querySelector('#add button').click();")
        #expect(browser.waitFor("""
            return document.querySelector('[data-testid=transport]').textContent === 'websocket' &&
              document.querySelector('[data-symbol=MSFT]').getAttribute('data-delayed') === '2' &&
              window.tickIds.length > 12
            """, timeout: 20), "transport \((try? browser.text("[data-testid=transport]")) ?? "?")")
        feeder.stop()
        Thread.sleep(forTimeInterval: 3.5)
        // Every AAPL tick after the first cursor; MSFT's from the cursor the page had when it added it.
        let got = ((try browser.run("return window.tickIds")) as? [Int] ?? []).map(Int64.init)
        let initial = try browser.run("return window.tickerConnection._connection.initialCursor") as? Int ?? -1
        let aapl = try PGConnection(s.target.adminURL).exec("SELECT id FROM ticks WHERE symbol = 'AAPL' AND id > $1 ORDER BY id", [String(initial)])
        let aaplIDs = Set((0..<aapl.rowCount).compactMap { aapl.int64($0, 0) })
        #expect(Set(got).count == got.count, "a tick shown twice")
        #expect(aaplIDs.isSubset(of: Set(got)), "AAPL ticks missing: \(aaplIDs.subtracting(got).sorted().prefix(5))")
        let msftGot = Set(got).subtracting(aaplIDs)
        let msft = try PGConnection(s.target.adminURL).exec("SELECT id FROM ticks WHERE symbol = 'MSFT' AND id >= $1 ORDER BY id", [String(msftGot.min() ?? 0)])
        #expect(!msftGot.isEmpty)
        #expect(msftGot == Set((0..<msft.rowCount).compactMap { msft.int64($0, 0) }), "MSFT ticks once each, none skipped after the first")
    }

    /// The page's first token lives a few seconds; its token function hands
    /// out a fresh one. Mixed boards (pair cursors) on a socket, SSE, multipart and the
    /// forever frame; a live one (plain cursor) on xhr.
    @Test(arguments: [(["AAPL", "MSFT"], ""), (["AAPL", "MSFT"], "sse"), (["AAPL", "MSFT"], "multipart"), (["AAPL", "MSFT"], "iframe"), (["AAPL", "NVDA"], "xhr")])
    func anExpiredTokenIsRenewedAndNoTickIsLostOrRepeated(symbols: [String], transport: String) throws {
        let rung = transport.isEmpty ? "websocket" : "streaming"
        let tokens = try Tokens()
        let s = try server(tokens)
        let browser = try Browser()
        let short = try tokens.mint(expiresIn: 8), fresh = try tokens.mint(expiresIn: 600)
        let feeder = Feeder(url: s.target.feedURL, symbols: symbols, interval: 0.2)
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=\(symbols.joined(separator: ","))&share=0&transport=\(transport)&token=\(short)")
        _ = try browser.run("window.tokensAsked = 0; window.tickerToken = function () { window.tokensAsked += 1; return Promise.resolve('\(fresh)'); };")
        #expect(browser.waitFor("return document.querySelector('[data-testid=transport]').textContent === '\(rung)' && window.tickIds.length > 3", timeout: 15))
        let renewed = browser.waitFor("return window.tokensAsked === 1 && window.tickerConnection._connection.state === 'live'", timeout: 15)
        #expect(renewed, "token function asked \((try? browser.run("return window.tokensAsked")) ?? "?") times")
        let before = (try browser.run("return window.tickIds.length")) as? Int ?? 0
        #expect(browser.waitFor("return window.tickIds.length > \(before + 5)", timeout: 10), "ticks flow after the renewal")
        feeder.stop()
        Thread.sleep(forTimeInterval: 3.5)
        #expect(try browser.text("[data-testid=transport]") == rung, "the same rung after the renewal")
        #expect(try browser.run("return window.tokensAsked") as? Int == 1, "one renewal per expiry")
        try expectEveryTickOnce(browser, s, live: symbols.filter { $0 != "MSFT" }, delayed: symbols.filter { $0 == "MSFT" })
        #expect(try browser.run("return document.querySelector('[data-testid=banner]').hidden") as? Bool == true)
    }
}
