// (and add "Imaging" to the BrowserTests target's dependencies).
import Foundation
import Imaging
import Postgres
import Quotes
import Testing
import TickerTestSupport

/// Server push of PNG frames into a plain `<img>` on a page from ANOTHER origin:
/// the page is `http://localhost:P/embed.html`, the image `http://127.0.0.1:P/ticker.png`.
@Suite(.serialized) struct TickerImageBrowserTests {
    @Test func crossOriginImageChangesWhereThePriceIsDrawn() throws {
        let port = try LocalCluster.freePort()
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("embed-\(port)")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try """
            <!DOCTYPE html><html><body style="margin:0">
            <img id="t" alt="quotes" src="http://127.0.0.1:\(port)/ticker.png?symbols=AAPL,MSFT">
            </body></html>
            """.write(to: site.appendingPathComponent("embed.html"), atomically: true, encoding: .utf8)
        let s = try TestServer(target: TestCluster.database()) {
            $0.port = port
            $0.publicDirectory = site
        }
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 100.00, 10), ('MSFT', 200.00, 10)")
        // Wait until the server has routed them, so "before" already shows 100.00.
        let routed = Date().addingTimeInterval(10)
        while try !HTTPTestClient.get(port: port, "/quotes?symbols=MSFT").body.contains("\"MSFT\""), Date() < routed {
            Thread.sleep(forTimeInterval: 0.05)
        }

        // `eager`: the page's load never ends while the image streams.
        let browser = try Browser(pageLoadStrategy: "eager")
        try browser.open("http://localhost:\(port)/embed.html")
        #expect(browser.waitFor("return document.getElementById('t').naturalWidth > 0", timeout: 10),
                "the image shows on another origin (Chromium's ORB let it through)")
        let shown = try browser.run("var i = document.getElementById('t'); return [i.naturalWidth, i.naturalHeight]") as? [Int]
        let layout = TickerStripModel(rows: [QuoteRow(symbol: "AAPL", last: "100.00"), QuoteRow(symbol: "MSFT", last: "200.00")])
        #expect(shown == [layout.width, TickerStripModel.height])

        let before = try browser.screenshotPNG(of: "#t")
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 101.25, 10)")
        var after = before
        let deadline = Date().addingTimeInterval(10)
        while after == before, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            after = try browser.screenshotPNG(of: "#t")
        }
        let a = try #require(DecodedPNG(before)), b = try #require(DecodedPNG(after))
        #expect(a.width == b.width && a.height == b.height)
        // AAPL's price changed: its price text differs; MSFT's cell (right of the first rule) is untouched.
        let price = try #require(layout.texts.first { $0.string == "100.00" })
        #expect(differs(a, b, x: price.x..<(price.x + 8 * 6), y: price.y..<(price.y + 16)), "the AAPL price is redrawn")
        #expect(!differs(a, b, x: (layout.rules[0] + 1)..<layout.width, y: 0..<TickerStripModel.height), "MSFT unchanged")
    }

    func differs(_ a: DecodedPNG, _ b: DecodedPNG, x: Range<Int>, y: Range<Int>) -> Bool {
        for yy in y { for xx in x where a.pixel(x: xx, y: yy)! != b.pixel(x: xx, y: yy)! { return true } }
        return false
    }
}
