import Foundation
import Postgres
import Testing
import TickerTestSupport

/// The client library used from another site's page, as a user embeds it:
/// one script tag pointing at the quote server, a different origin.
@Suite(.serialized) struct CrossOriginTests {
    /// A page on its own origin (a second server that only serves this file).
    func thirdPartyPage(api: Int, transport: String) throws -> TestServer {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("third-party-\(api)-\(transport)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            <!DOCTYPE html><html><body><p id="out"></p>
            <script src="http://127.0.0.1:\(api)/ticker.js"></script>
            <script>
              window.ids = []; window.states = [];
              Ticker.connect({url: 'http://127.0.0.1:\(api)', symbols: ['AAPL'], transport: '\(transport)', share: false,
                onTick: function (t, info) { if (!info || !info.snapshot) window.ids.push(t.id); },
                onStatus: function (s) { window.transport = s.transport; window.states.push(s.state); }});
            </script></body></html>
            """.write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        return try TestServer(target: TestCluster.database()) { $0.publicDirectory = dir }
    }

    @Test func aForeverFrameDeliversToAPageOnAnotherOrigin() throws {
        let api = try TestServer(target: TestCluster.database())
        let page = try thirdPartyPage(api: api.port, transport: "iframe")
        let browser = try Browser()
        try browser.open("http://127.0.0.1:\(page.port)/")
        #expect(browser.waitFor("return window.states.indexOf('live') >= 0", timeout: 10))
        Thread.sleep(forTimeInterval: 0.5)
        let initial = try browser.run("return window.ids.length") as? Int ?? -1
        for p in ["189.10", "189.20", "189.30"] {
            try api.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', $1)", [p])
            Thread.sleep(forTimeInterval: 0.2)
        }
        let expected = try PGConnection(api.target.adminURL).exec("SELECT id FROM ticks ORDER BY id")
        let ids = (0..<expected.rowCount).compactMap { expected.int64($0, 0) }.map(Int.init)
        #expect(browser.waitFor("return window.ids.length >= \(initial + 3)", timeout: 10))
        // Past the hello timeout: had the frame's events been blocked, the
        // ladder would have stepped down from streaming by now.
        Thread.sleep(forTimeInterval: 5)
        #expect(try browser.run("return window.transport") as? String == "streaming")
        #expect(try browser.run("return window.ids") as? [Int] == ids)
    }
}
