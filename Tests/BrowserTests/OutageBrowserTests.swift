import Foundation
import Postgres
import Testing
import TickerTestSupport

/// A trader must see when quotes stop being live, and nothing may be lost.
@Suite(.serialized) struct OutageBrowserTests {
    @Test func aStoppedDatabaseIsShownAndNothingIsLostWhenItReturns() throws {
        let cluster = try TestCluster.isolated()
        let s = try TestServer(target: TestCluster.database(in: cluster))
        let browser = try Browser()
        let feeder = Feeder(url: s.target.feedURL, symbols: ["AAPL", "MSFT"], interval: 0.25)
        try browser.open("http://127.0.0.1:\(s.port)/?symbols=AAPL,MSFT&share=0")
        #expect(browser.waitFor("return window.tickIds.length > 3", timeout: 10))
        let banner = "document.querySelector('[data-testid=banner]')"
        #expect(try browser.run("return \(banner).hidden") as? Bool == true)

        try cluster.stop(mode: "fast")
        let down = Date()
        #expect(browser.waitFor("return \(banner).getAttribute('data-state') === 'database-down' && !\(banner).hidden", timeout: 5),
                "banner: \((try? browser.run("return \(banner).outerHTML")) ?? "?")")
        print("database stopped: banner after \(String(format: "%.2f", Date().timeIntervalSince(down))) s")
        #expect(try browser.text("[data-testid=banner]")?.contains("lost its database") == true)

        try cluster.start()
        #expect(browser.waitFor("return \(banner).hidden", timeout: 15))
        Thread.sleep(forTimeInterval: 1.5)
        feeder.stop()
        Thread.sleep(forTimeInterval: 1.5)
        let initial = (try browser.run("return window.tickerConnection._connection.initialCursor")) as? Int ?? -1
        let got = ((try browser.run("return window.tickIds")) as? [Int] ?? []).map(Int64.init)
        let expected = try PGConnection(s.target.adminURL).exec("SELECT id FROM ticks WHERE id > $1 ORDER BY id", [String(initial)])
        let ids = (0..<expected.rowCount).compactMap { expected.int64($0, 0) }
        #expect(!ids.isEmpty)
        #expect(got == ids, "received \(got.count) ticks, the database has \(ids.count) after cursor \(initial)")
    }
}
