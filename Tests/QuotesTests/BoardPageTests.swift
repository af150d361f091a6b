import Testing
@testable import Quotes

@Suite struct BoardPageTests {
    @Test func pageReloadsItselfWithoutScript() {
        let page = BoardPage(rows: [QuoteRow(symbol: "AAPL", latest: Tick(id: 1, symbol: "AAPL", price: "189.23", size: 100,
                                                                             ts: "2026-11-24T12:00:01Z"), reference: "188.1")],
                             refresh: 5)
        let html = page.html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("<tr data-symbol=\"AAPL\" class=\"up\">"))
        #expect(html.contains("<td data-field=\"price\">189.23</td>"))
        #expect(html.contains("<td data-field=\"change\">+1.13</td><td data-field=\"pct\">+0.60%</td>"))
        #expect(html.contains("<td data-field=\"size\">100</td><td data-field=\"time\">12:00:01</td>"))
        #expect(page.headers.contains { $0 == ("Refresh", "5") })
        #expect(page.headers.contains { $0.name == "Content-Security-Policy" && $0.value.hasPrefix("default-src 'none'") })
    }

    @Test func markupInValuesIsEscaped() {
        let evil = QuoteRow(symbol: "<script>alert(1)</script>", last: "1<b>\"'&", change: "</td>", time: "<!--")
        let html = BoardPage(rows: [evil], refresh: 2).html
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<!--"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("1&lt;b&gt;&quot;&#39;&amp;"))
        #expect(html.contains("data-symbol=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
    }

    @Test func delayedRowsAreMarkedAndTheDashboardLinkKeepsTheToken() {
        let page = BoardPage(rows: [QuoteRow(symbol: "AAPL"), QuoteRow(symbol: "MSFT")], refresh: 2,
                             delayed: ["MSFT"], delaySeconds: 900, token: "eyJ.a+b/c=")
        let html = page.html
        #expect(html.contains(#"<td class="sym">MSFT <small class="delayed">delayed 15 min</small></td>"#))
        #expect(html.contains(#"<td class="sym">AAPL</td>"#))
        #expect(html.contains(#"<a href="/?symbols=AAPL,MSFT&amp;token=eyJ.a%2Bb%2Fc%3D">Live dashboard</a>"#), "\(html)")
        #expect(BoardPage(rows: [QuoteRow(symbol: "A")], refresh: 2).html.contains(#"<a href="/?symbols=A">"#))
        #expect([900, 2, 90, 3600, 7200].map(BoardPage.delayText) == ["delayed 15 min", "delayed 2 s", "delayed 90 s", "delayed 60 min", "delayed 2 h"])
    }

    @Test func aRefusalPageIsOneEscapedLine() {
        let html = RefusalPage.html(status: 403, message: "not entitled to <MSFT>")
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<p>not entitled to &lt;MSFT&gt;</p>") && !html.contains("<script"))
        #expect(RefusalPage.headers.contains { $0 == ("Content-Security-Policy", "default-src 'none'") })
    }

    @Test func rowsWithoutTicksShowDashes() {
        let html = BoardPage(rows: [QuoteRow(symbol: "NEW")], refresh: 2).html
        #expect(html.contains("<tr data-symbol=\"NEW\" class=\"flat\"><td class=\"sym\">NEW</td><td data-field=\"price\">–</td>"))
    }

    @Test func refreshHasBoundsAndADefault() throws {
        let plain = try BoardRequest(query: QueryParameters(parsing: "symbols=aapl,msft"), maxSymbols: 50)
        #expect(plain.symbols == ["AAPL", "MSFT"] && plain.refresh == 2)
        #expect(try BoardRequest(query: QueryParameters(parsing: "symbols=A&refresh=60"), maxSymbols: 50).refresh == 60)
        for bad in ["0", "61", "-1", "2.5", "x", ""] {
            #expect(throws: QueryError("'refresh' must be a whole number of seconds from 1 to 60")) {
                try BoardRequest(query: QueryParameters(parsing: "symbols=A&refresh=\(bad)"), maxSymbols: 50)
            }
        }
        #expect(throws: QueryError("unknown parameter 'refesh'; did you mean 'refresh'?")) {
            try BoardRequest(query: QueryParameters(parsing: "symbols=A&refesh=2"), maxSymbols: 50)
        }
        #expect(throws: (any Error).self) { try BoardRequest(query: QueryParameters(parsing: "refresh=2"), maxSymbols: 50) }
        // The one-line JSON body the route sends with its 400.
        #expect(JSON.error("'refresh' must be a whole number of seconds from 1 to 60")
            == "{\"error\":\"'refresh' must be a whole number of seconds from 1 to 60\"}")
    }

    @Test func tickerImageRequests() throws {
        let r = try TickerImageRequest(query: QueryParameters(parsing: "symbols=msft,aapl,MSFT"))
        #expect(r.symbols == ["MSFT", "AAPL"], "asked order kept: it is the drawn order and the cache key")
        #expect(!r.once)
        #expect(try TickerImageRequest(query: QueryParameters(parsing: "symbols=A&once=1")).once)
        #expect(try TickerImageRequest(query: QueryParameters(parsing: "symbols=A&once")).once)
        #expect(throws: QueryError("'once' must be 1 or 0, not 'yes'")) {
            try TickerImageRequest(query: QueryParameters(parsing: "symbols=A&once=yes"))
        }
        #expect(throws: QueryError("too many symbols (13); at most 12 per request")) {
            try TickerImageRequest(query: QueryParameters(parsing: "symbols=" + (1...13).map { "S\($0)" }.joined(separator: ",")))
        }
    }
}
