import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Inserts a tick every `interval` seconds, alternating symbols, until stopped.
final class Feeder: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Starting prices, so the page (and the README's screenshot) looks like a market.
    static let bases: [String: Double] = ["AAPL": 189.5, "MSFT": 415.2, "NVDA": 121.4, "TSLA": 248.9, "GOOGL": 172.3]

    /// Walks on from each symbol's latest price in the database, if it has one.
    init(url: String, symbols: [String], interval: Double = 0.25) {
        Thread.detachNewThread { [stopped, done] in
            let c = try? PGConnection(url)
            var prices = Feeder.bases
            if let r = try? c?.exec("SELECT symbol, price::float8 FROM latest_quotes") {
                for i in 0..<r.rowCount { if let s = r.string(i, 0), let p = Double(r.string(i, 1) ?? "") { prices[s] = p } }
            }
            var i = 0
            while stopped.wait(timeout: .now() + interval) == .timedOut {
                i += 1
                let sym = symbols[i % symbols.count]
                let step = Double((i * 7919 + sym.count * 104_729) % 2001) / 1000 - 1   // -1...1, repeatable
                let p = (prices[sym] ?? 100) * (1 + 0.0006 * step)
                prices[sym] = p
                _ = try? c?.exec("INSERT INTO ticks (symbol, price, size, bid, ask) VALUES ($1, $2, $3, $4, $5)",
                                 [sym, String(format: "%.2f", p), String(100 * (1 + i % 5)),
                                  String(format: "%.2f", p - 0.01), String(format: "%.2f", p + 0.01)])
            }
            done.signal()
        }
    }

    func stop() {
        stopped.signal()
        done.wait()
    }
}

@Suite(.serialized) struct DashboardBrowserTests {
    /// Loads the dashboard through `base`, feeds ticks, and checks the page ends
    /// on `transport` with every tick shown exactly once. Returns seconds from
    /// page load to the first live tick.
    func runThrough(_ s: TestServer, base: String, expect transport: String, within: Double,
                    feedInterval: Double = 0.25, symbols: [String] = ["AAPL", "MSFT"], query: String = "",
                    screenshot: String? = nil) throws -> Double {
        let browser = try Browser()
        let feeder = Feeder(url: s.target.feedURL, symbols: symbols, interval: feedInterval)
        try browser.open("\(base)/?symbols=\(symbols.joined(separator: ","))\(query)")
        let ended = browser.waitFor("return document.querySelector('[data-testid=transport]').textContent === '\(transport)' && window.tickIds.length > 3", timeout: within + 10)
        let shown = try browser.text("[data-testid=transport]")
        #expect(ended, "transport shown: \(shown ?? "nil"), ticks: \((try? browser.run("return window.tickIds.length")) ?? "?")")
        Thread.sleep(forTimeInterval: max(1.5, feedInterval))
        feeder.stop()
        Thread.sleep(forTimeInterval: transport == "polling" ? 3 : 1.5)
        let firstTick = (try browser.run("return window.firstLiveTickAt / 1000")) as? Double ?? -1
        let initial = (try browser.run("return window.tickerConnection._connection.initialCursor")) as? Int ?? -1
        let got = ((try browser.run("return window.tickIds")) as? [Int] ?? []).map(Int64.init)
        let expected = try PGConnection(s.target.adminURL).exec("SELECT id FROM ticks WHERE id > $1 ORDER BY id", [String(initial)])
        let ids = (0..<expected.rowCount).compactMap { expected.int64($0, 0) }
        #expect(initial >= 0)
        #expect(!ids.isEmpty)
        #expect(got == ids, "received \(got.count) ticks, database has \(ids.count) after cursor \(initial)")
        // The board shows the newest price of each symbol.
        let last = try PGConnection(s.target.adminURL).exec("SELECT price::text FROM ticks WHERE symbol = 'AAPL' ORDER BY id DESC LIMIT 1").string(0, 0)
        #expect(try browser.text("[data-symbol=AAPL] [data-field=price]") == last)
        #expect(try browser.text("[data-testid=transport]") == transport)
        if let screenshot { try browser.screenshot(to: screenshot) }
        return firstTick
    }

    @Test func directlyItUsesAWebSocketAndShowsEveryTick() throws {
        let s = try TestServer(target: TestCluster.database())
        // A market's history (the previous session's close, today so far), so
        // the day figures, sparklines and chart have something real to show.
        try PGConnection(s.target.adminURL).execScript(BoardBrowserTests.market)
        // The page opens once the server has read that history: this test is
        // about live ticks, not about a page replaying thousands of old ones.
        let newest = try PGConnection(s.target.adminURL).exec("SELECT max(id) FROM ticks").int64(0, 0) ?? 0
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !(try HTTPTestClient.get(port: s.port, "/quotes?symbols=AAPL").body.hasPrefix("{\"cursor\":\(newest),")) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let first = try runThrough(s, base: "http://127.0.0.1:\(s.port)", expect: "websocket", within: 5,
                                   symbols: ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA", "JPM"], query: "&interval=1m", screenshot: FileManager.default.currentDirectoryPath + "/docs/dashboard.png")
        print("direct: first live tick \(String(format: "%.2f", first)) s after page load")
        #expect(first < 5)
    }

    /// The xhr and multipart parsers and the forever frame, in the real browser.
    @Test(arguments: ["xhr", "multipart", "iframe"])
    func everyStreamingTransportShowsEveryTick(transport: String) throws {
        let s = try TestServer(target: TestCluster.database())
        _ = try runThrough(s, base: "http://127.0.0.1:\(s.port)", expect: "streaming", within: 5, query: "&transport=\(transport)")
    }

    /// Chromium's own WebSocket through real nginx: with the Upgrade passed
    /// the page stays on the socket; through an nginx that strips it, it
    /// streams. Every tick once, ids equal to the database's, either way.
    @Test(arguments: [true, false])
    func throughNginxItUsesAWebSocketOnlyWhenUpgradePasses(passesUpgrade: Bool) throws {
        let s = try TestServer(target: TestCluster.database())
        let proxy = try Nginx(upstreamPort: s.port, behaviour: .plain(passesUpgrade: passesUpgrade))
        let rung = passesUpgrade ? "websocket" : "streaming"
        let first = try runThrough(s, base: "http://127.0.0.1:\(proxy.port)", expect: rung, within: 6)
        print("nginx \(passesUpgrade ? "passing" : "stripping") Upgrade: \(rung), first live tick \(String(format: "%.2f", first)) s after page load")
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_streams_opened_total{transport=\"websocket\"} 0\n") == !passesUpgrade)
    }

    @Test func behindABufferingProxyItLongPolls() throws {
        let s = try TestServer(target: TestCluster.database())
        let proxy = try Nginx(upstreamPort: s.port, behaviour: .buffering)
        let first = try runThrough(s, base: "http://127.0.0.1:\(proxy.port)", expect: "long-polling", within: 6)
        print("buffering proxy: first live tick \(String(format: "%.2f", first)) s after page load")
        // Short polls bridge the seconds the stream takes to prove itself (about 1 s
        // here, page load included); a loose bound, not a benchmark.
        #expect(first < 3)
    }

    @Test func behindAProxyThatCutsHeldRequestsItPolls() throws {
        let s = try TestServer(target: TestCluster.database())
        let proxy = try Nginx(upstreamPort: s.port, behaviour: .cutsHeldRequests(seconds: 2))
        // A quiet market (a tick every 2.5 s), so long polls are held long enough to be cut.
        let first = try runThrough(s, base: "http://127.0.0.1:\(proxy.port)", expect: "polling", within: 15, feedInterval: 2.5)
        print("cutting proxy: first live tick \(String(format: "%.2f", first)) s after page load")
        #expect(first < 12)
    }

    @Test func aSymbolWithMarkupIsShownAsText() throws {
        let s = try TestServer(target: TestCluster.database())
        let browser = try Browser()
        let hostile = "AAPL,<img src=x onerror=window.pwned=1>"
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=" + (hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        #expect(browser.waitFor("return document.querySelectorAll('tr[data-symbol]').length === 1", timeout: 5))
        #expect(try browser.text("#error")?.uppercased().contains("<IMG SRC=X") == true)
        #expect(try browser.run("return document.querySelectorAll('img').length") as? Int == 0)
        #expect(try browser.run("return window.pwned === undefined") as? Bool == true)
    }

    /// The ladder's rules are unit tests (Tests/js, `node --test`); here, that the
    /// same files load as plain scripts in Chromium and decide the same way.
    @Test func theClientLibraryLoadsAsPlainScripts() throws {
        let s = try TestServer(target: TestCluster.database())
        let browser = try Browser()
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=AAPL")
        let result = try browser.run("""
            var l = new Ticker.Ladder(), out = [typeof Ticker.Wire.parseMultipart, typeof Ticker.CursorState];
            out.push(l.streamEnded({lived: 3, hello: false}).mode, l.helloTimedOut().mode);
            return out.join(',');
            """) as? String
        #expect(result == "function,function,streaming,long-polling")
    }
}
