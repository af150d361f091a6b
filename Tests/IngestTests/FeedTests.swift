import Foundation
import Ingest
import Logging
import Postgres
import Testing
import TickerTestSupport

@Suite struct FeedTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "feed-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func csvWithBadRowsKeepsExactlyTheGoodOnes() throws {
        let db = try TestCluster.database()
        let path = try write("""
            symbol,price,size,ts
            AAPL,189.23,100,2026-11-24T12:00:00.123456Z
            MSFT,abc,5,
            GOOGL,172.30,,
            aapl,1,1,
            NVDA,121.4,-3,
            TSLA,248.9,10,2026-11-24T12:00:01Z

            BRK.B,412.10000001,1,2026-13-01T00:00:00Z
            """)
        var reports: [String] = []
        var feed = FileFeed(path: path, format: .csv)
        feed.report = { reports.append($0) }
        let summary = try feed.run(into: TickWriter(url: db.feedURL, logger: Logger(label: "t")))
        #expect(summary.stored == 4)
        #expect(summary.rejected == 3)
        #expect(reports == [
            "line 3: price 'abc' is not a decimal number",
            "line 6: size '-3' must not be negative",
            "line 9: ts '2026-13-01T00:00:00Z' is out of range",
        ])
        let r = try PGConnection(db.adminURL).exec("SELECT symbol, price::text, size, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM ticks ORDER BY id")
        // `aapl` is upper-cased on input, as the HTTP API does.
        #expect((0..<r.rowCount).map { r.string($0, 0)! + " " + r.string($0, 1)! } == ["AAPL 189.23", "GOOGL 172.30", "AAPL 1", "TSLA 248.9"])
        #expect(r.string(0, 3) == "2026-11-24 12:00:00.123456")
    }

    @Test func jsonLinesFeedStoresExactDecimals() throws {
        let db = try TestCluster.database()
        let path = try write("""
            {"symbol":"BRK.B","price":412.10000001,"size":5,"bid":"412.1","ask":"412.2"}
            {"symbol":"X","price":"NaN"}
            {"symbol":"X","price":1,"extra":1}
            """)
        var reports: [String] = []
        var feed = FileFeed(path: path, format: .jsonl)
        feed.report = { reports.append($0) }
        let s = try feed.run(into: TickWriter(url: db.feedURL, logger: Logger(label: "t")))
        #expect(s.stored == 1 && s.rejected == 2)
        #expect(reports.map { $0.prefix(7) } == ["line 2:", "line 3:"])
        let price = try PGConnection(db.adminURL).exec("SELECT price::text, bid::text FROM ticks").string(0, 0)
        #expect(price == "412.10000001")
    }

    @Test func aBatchTheDatabaseRefusesIsRetriedRowByRow() throws {
        let db = try TestCluster.database()
        // Valid for the client, refused by the database: ts past the schema's range after the offset.
        let path = try write("symbol,price,ts\nA,1,2026-01-01T00:00:00Z\nB,2,9999-12-31T23:59:59-15:00\nC,3,\n")
        var reports: [String] = []
        var feed = FileFeed(path: path, format: .csv)
        feed.report = { reports.append($0) }
        let s = try feed.run(into: TickWriter(url: db.feedURL, logger: Logger(label: "t")))
        #expect(s.stored == 2)
        #expect(reports.count == 1 && reports[0].hasPrefix("line 3: refused by the database"))
    }

    @Test func simulatedFeedKeepsItsRate() throws {
        let db = try TestCluster.database()
        let feed = SimulatedFeed(symbols: ["AAPL", "MSFT"], rate: 200, duration: 2, logger: Logger(label: "t"))
        let stored = try feed.run(url: db.feedURL)
        let c = try PGConnection(db.adminURL)
        let count = try c.exec("SELECT count(*) FROM ticks").int64(0, 0)!
        #expect(Int64(stored) == count)
        #expect((360...420).contains(count), "200 ticks/s for 2 s stored \(count)")
        let r = try c.exec("SELECT count(*) FROM ticks WHERE symbol NOT IN ('AAPL','MSFT') OR bid > ask OR price <= 0")
        #expect(r.int64(0, 0) == 0)
    }
}
