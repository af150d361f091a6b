import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Client pull (Netscape 1.1 "dynamic documents"): a browser with JavaScript
/// off still sees live quotes, because the page reloads itself.
@Suite(.serialized) struct NoScriptBrowserTests {
    @Test func boardShowsANewPriceWithinTheRefreshIntervalWithJavaScriptOff() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 100.00, 10), ('MSFT', 200.00, 10)")
        let browser = try Browser(javaScript: false)

        // The dashboard itself cannot run; its <noscript> (parsed as markup only
        // when scripting is off) points to the board.
        try browser.open("http://127.0.0.1:\(s.port)/")
        let href = try browser.run("var a = document.querySelector('noscript a'); return a ? a.getAttribute('href') : null") as? String
        #expect(href?.hasPrefix("board?symbols=") == true)
        #expect(try browser.text("[data-testid=transport]") == "connecting", "page scripts really are off")

        try browser.open("http://127.0.0.1:\(s.port)/board?symbols=AAPL,MSFT&refresh=1")
        #expect(try browser.text("[data-symbol=AAPL] [data-field=price]") == "100.00")
        #expect(try browser.run("return document.scripts.length") as? Int == 0)

        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 123.45, 20)")
        // refresh=1: the next reload (≤ 1 s, plus a load) shows it. Generous bound, not a speed test.
        #expect(browser.waitFor("""
            var e = document.querySelector('[data-symbol=AAPL] [data-field=price]');
            return !!e && e.textContent === '123.45'
            """, timeout: 10))
        #expect(try browser.text("[data-symbol=AAPL] [data-field=size]") == "20")
        #expect(try browser.text("[data-symbol=MSFT] [data-field=price]") == "200.00")
    }

    @Test func boardAnswersBadInputWithOneLineOfJSON() throws {
        let s = try TestServer(target: TestCluster.database())
        for bad in ["0", "61", "x"] {
            let r = try HTTPTestClient.get(port: s.port, "/board?symbols=AAPL&refresh=\(bad)")
            #expect(r.status == 400)
            #expect(r.body.contains("{\"error\":\"'refresh' must be a whole number of seconds from 1 to 60\"}"))
        }
        #expect(try HTTPTestClient.get(port: s.port, "/board?refresh=2").status == 400)
        let ok = try HTTPTestClient.get(port: s.port, "/board?symbols=AAPL")
        #expect(ok.status == 200)
        #expect(ok.header("Refresh") == "2")
        #expect(ok.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(ok.body.contains("<meta http-equiv=\"refresh\" content=\"2\">"))
        #expect(!ok.body.lowercased().contains("<script"))
    }
}
