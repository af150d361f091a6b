import Foundation
import Postgres
import Testing
import TickerTestSupport

/// What a trader sees on the board: day figures equal to SQL, Last by event
/// time, one connection for many tabs, a layout that fits a phone.
@Suite(.serialized) struct BoardBrowserTests {
    /// A random walk per symbol: the last hours of the previous session (a tick
    /// every 15 s) and today's session so far (one tick every 5 s, at most 2 h,
    /// smaller steps), seeded so every run draws the same market.
    static let market = """
        SELECT setseed(0.42);
        INSERT INTO ticks (symbol, price, size, bid, ask, ts)
        SELECT sym, round(p::numeric, 2), size, round(p::numeric, 2) - 0.01, round(p::numeric, 2) + 0.01, ts
        FROM (
            SELECT sym, ts, size, base * exp(sum(z) OVER (PARTITION BY sym ORDER BY ts)) AS p
            FROM (VALUES ('AAPL', 189.5, 0.0012), ('MSFT', 415.2, 0.0010), ('NVDA', 121.4, 0.0025),
                         ('TSLA', 248.9, 0.0030), ('GOOGL', 172.3, 0.0014), ('AMZN', 185.6, 0.0016),
                         ('META', 498.7, 0.0018), ('JPM', 201.3, 0.0009)) b(sym, base, vol),
                 (SELECT starts FROM market_session_at()) s,
                 LATERAL (SELECT g AS ts FROM generate_series(s.starts - interval '6 hours', s.starts - interval '15 seconds', interval '15 seconds') g
                          UNION ALL
                          SELECT g FROM generate_series(greatest(s.starts, now() - interval '2 hours'), now() - interval '2 seconds', interval '5 seconds') g) t,
                 LATERAL (SELECT vol * (CASE WHEN t.ts >= s.starts THEN 0.35 ELSE 0.5 END)
                                     * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z,
                                 (ARRAY[100, 100, 200, 300, 500, 1000, 50])[1 + floor(random() * 7)::int] AS size
                          WHERE t.ts IS NOT NULL) r
        ) q ORDER BY ts, sym
        """

    func numbers(_ b: Browser, _ field: String, _ symbols: [String]) throws -> [Double?] {
        try symbols.map { s in
            try b.text("[data-symbol=\(s)] [data-field=\(field)]").flatMap { Double($0.replacingOccurrences(of: "%", with: "")) }
        }
    }

    @Test func chgAndPercentEqualSQLAgainstTheReferenceAndSurviveAReload() throws {
        let s = try TestServer(target: TestCluster.database())
        try PGConnection(s.target.adminURL).execScript(Self.market)
        let symbols = ["AAPL", "MSFT", "NVDA"]
        let sql = try PGConnection(s.target.adminURL).exec(
            "SELECT round(change, 2)::float8, change_pct::float8 FROM day_quotes($1::text[]) ORDER BY array_position($1::text[], symbol)",
            [TickSQL.arrayLiteral(symbols)])
        let change = (0..<3).map { Double(sql.string($0, 0) ?? "") }
        let pct = (0..<3).map { Double(sql.string($0, 1) ?? "") }
        let browser = try Browser()
        for _ in 0..<2 {   // the second time: a reload
            try browser.open("http://127.0.0.1:\(s.port)/?symbols=\(symbols.joined(separator: ","))")
            #expect(browser.waitFor("return [...document.querySelectorAll('[data-field=pct]')].every(e => e.textContent.endsWith('%'))", timeout: 10))
            #expect(try numbers(browser, "change", symbols) == change)
            #expect(try numbers(browser, "pct", symbols) == pct)
        }
        // Sorting by change, then the other way.
        let order = "return [...document.querySelectorAll('tr[data-symbol]')].map(r => r.getAttribute('data-symbol'))"
        let byPct = zip(symbols, pct).sorted { ($0.1 ?? 0) < ($1.1 ?? 0) }.map(\.0)
        try browser.run("document.querySelector('th[data-sort=change]').click()")
        #expect(try browser.run(order) as? [String] == byPct)
        try browser.run("document.querySelector('th[data-sort=change]').click()")
        #expect(try browser.run(order) as? [String] == byPct.reversed())
    }

    @Test func aBackfillOfOlderTicksDoesNotChangeLast() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 190.00, 100)")
        let browser = try Browser()
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=AAPL")
        #expect(browser.waitFor("return document.querySelector('[data-testid=transport]').textContent === 'websocket' && document.querySelector('[data-symbol=AAPL] [data-field=price]').textContent === '190.00'", timeout: 10))
        let before = (try browser.run("return window.tickIds.length") as? Int) ?? 0   // 0, or 1 if the snapshot came before the server routed tick 1
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 191.00, 100)")
        #expect(browser.waitFor("return document.querySelector('[data-symbol=AAPL] [data-field=price]').textContent === '191.00'", timeout: 5))
        // Yesterday's data replayed: delivered (once each), but Last stays.
        try s.insert("INSERT INTO ticks (symbol, price, size, ts) SELECT 'AAPL', 150 + g, 10, now() - interval '1 day' + g * interval '1 second' FROM generate_series(1, 5) g")
        #expect(browser.waitFor("return window.tickIds.length === \(before + 6)", timeout: 5))
        let ids = (try browser.run("return window.tickIds") as? [Int]) ?? []
        #expect(Array(ids.suffix(6)) == [2, 3, 4, 5, 6, 7])
        #expect(try browser.text("[data-symbol=AAPL] [data-field=price]") == "191.00")
    }

    /// Reads a metric through the page (same origin), with a synchronous XHR.
    func metric(_ b: Browser, _ name: String) throws -> Double? {
        let text = try b.run("var x = new XMLHttpRequest(); x.open('GET', '/metrics', false); x.send(); return x.responseText") as? String ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func eightTabsHoldOneStreamAndClosingTheLeaderLosesNothing() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 189.00), ('MSFT', 415.00)")
        let browser = try Browser()
        try browser.open("http://127.0.0.1:\(s.port)/health")
        try browser.run("window.tabs = []; for (var i = 0; i < 8; i++) window.tabs.push(window.open('/?symbols=AAPL,MSFT', 'tab' + i));")
        let allLive = "return tabs.every(t => t.document && t.document.querySelector('[data-testid=transport]') && t.document.querySelector('[data-testid=transport]').textContent === 'websocket')"
        #expect(browser.waitFor(allLive, timeout: 20))
        Thread.sleep(forTimeInterval: 1)
        #expect(try metric(browser, "ticker_connections{transport=\"websocket\"}") == 1)
        let feeder = Feeder(url: s.target.feedURL, symbols: ["AAPL", "MSFT"], interval: 0.1)
        Thread.sleep(forTimeInterval: 1.5)
        let leader = try browser.run("return tabs.findIndex(t => t.tickerConnection._connection.leader)") as? Int ?? -1
        #expect(leader >= 0)
        try browser.run("tabs[\(leader)].close()")
        Thread.sleep(forTimeInterval: 2)
        feeder.stop()
        let others = (0..<8).filter { $0 != leader }
        let db = try PGConnection(s.target.adminURL)
        #expect(browser.waitFor("return tabs.filter((t, i) => i !== \(leader)).some(t => t.tickerConnection._connection.leader)", timeout: 5))
        Thread.sleep(forTimeInterval: 1.5)
        for i in others {
            let initial = try browser.run("return tabs[\(i)].tickerConnection._connection.initialCursor") as? Int ?? -1
            let got = (try browser.run("return tabs[\(i)].tickIds") as? [Int]) ?? []
            let r = try db.exec("SELECT id FROM ticks WHERE id > $1 ORDER BY id", [String(initial)])
            let ids = (0..<r.rowCount).compactMap { r.int64($0, 0) }.map(Int.init)
            #expect(initial >= 0 && !ids.isEmpty)
            #expect(got == ids, "tab \(i): \(got.count) ticks, database has \(ids.count) after \(initial)")
        }
        #expect(try metric(browser, "ticker_connections{transport=\"websocket\"}") == 1)
        try browser.run("tabs.forEach(t => t.close())")
    }

    /// A server restart is an outage, not a proxy: the page says so (banner,
    /// greyed rows), stays on its rung, and is back on it within seconds
    /// of the server, having lost and repeated nothing.
    /// `ticker serve` as a process (one worker), so it can be stopped by SIGTERM.
    func serve(_ port: Int, _ db: DatabaseTarget) throws -> ChildProcess {
        let p = try ChildProcess([TickerCommand.path, "serve", "--port", "\(port)", "--workers", "1",
                                  "--database-url", db.serverURL, "--log-level", "error"],
                                 log: NSTemporaryDirectory() + "serve-\(port).log")
        try waitForPort(port)
        return p
    }

    /// Directly (WebSocket), and behind a buffering proxy (long polling).
    @Test(arguments: [false, true])
    func afterAServerRestartThePageIsBackOnItsRungWithEveryTick(behindProxy: Bool) throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        var server = try serve(port, db)
        let proxy = behindProxy ? try Nginx(upstreamPort: port, behaviour: .buffering) : nil
        let rung = behindProxy ? "long-polling" : "websocket"
        let browser = try Browser()
        let feeder = Feeder(url: db.feedURL, symbols: ["AAPL", "MSFT"], interval: 0.2)
        try browser.open("http://127.0.0.1:\(proxy?.port ?? port)/?symbols=AAPL,MSFT")
        #expect(browser.waitFor("return document.querySelector('[data-testid=transport]').textContent === '\(rung)' && window.tickIds.length > 3", timeout: 15))
        server.terminate()   // SIGTERM: streams get `bye`, then connections are refused
        #expect(browser.waitFor("return document.querySelector('[data-testid=banner]').getAttribute('data-state') === 'reconnecting' && !document.querySelector('[data-testid=banner]').hidden", timeout: 5))
        #expect(try browser.run("return document.querySelectorAll('tr.stale').length") as? Int == 2)
        var shown = Set<String>()
        for _ in 0..<30 {   // three seconds down
            if let t = try browser.text("[data-testid=transport]") { shown.insert(t) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        server = try serve(port, db)
        let back = Date()
        #expect(browser.waitFor("return document.querySelector('[data-testid=transport]').textContent === '\(rung)' && document.querySelector('[data-testid=banner]').hidden", timeout: 10))
        print("server restart: \(rung) again \(String(format: "%.1f", Date().timeIntervalSince(back))) s after the server")
        #expect(shown == [rung], "transports shown while the server was down: \(shown)")
        Thread.sleep(forTimeInterval: 1.5)
        feeder.stop()
        Thread.sleep(forTimeInterval: 1.5)
        let initial = try browser.run("return window.tickerConnection._connection.initialCursor") as? Int ?? -1
        let got = (try browser.run("return window.tickIds") as? [Int]) ?? []
        let r = try PGConnection(db.adminURL).exec("SELECT id FROM ticks WHERE id > $1 ORDER BY id", [String(initial)])
        let ids = (0..<r.rowCount).compactMap { r.int64($0, 0) }.map(Int.init)
        #expect(initial >= 0 && !ids.isEmpty)
        #expect(got == ids, "received \(got.count) ticks, database has \(ids.count) after \(initial)")
        #expect(try browser.run("return document.querySelectorAll('tr.stale').length") as? Int == 0)
        server.terminate()
    }

    @Test func atFourHundredTwentyPixelsNothingOverflows() throws {
        let s = try TestServer(target: TestCluster.database())
        try PGConnection(s.target.adminURL).execScript(Self.market)
        let browser = try Browser()
        try browser.open("http://127.0.0.1:\(s.port)/health")
        try browser.run("""
            document.body.innerHTML = '<iframe id=f width=420 height=800 style="border:0" src="/?symbols=AAPL,MSFT,NVDA,TSLA,GOOGL,BRK.B"></iframe>';
            """)
        let ready = "var d = document.getElementById('f').contentDocument; return !!d && [...d.querySelectorAll('[data-field=pct]')].filter(e => e.textContent.endsWith('%')).length === 5"
        #expect(browser.waitFor(ready, timeout: 10))
        let widths = try browser.run("""
            var d = document.getElementById('f').contentDocument;
            var right = Math.max(...[...d.querySelectorAll('button.remove, td, th, header *')].map(e => e.getBoundingClientRect().right));
            return [d.documentElement.scrollWidth, Math.ceil(right)];
            """) as? [Int] ?? []
        #expect(widths.count == 2 && widths.allSatisfy { $0 <= 420 }, "scroll width and rightmost element: \(widths)")
    }
}
