import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Schema/005: the latest quote is the newest event time, and day figures are
/// measured against a reference price, in the exchange's time zone.
@Suite struct DayFiguresTests {
    func row(_ c: PGConnection, _ sql: String, _ p: [String?] = []) throws -> [String?] {
        let r = try c.exec(sql, p)
        return (0..<r.columnCount).map { r.string(0, $0) }
    }

    @Test func aBackfillOfOlderTicksDoesNotBecomeTheLatestQuote() throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.adminURL)
        try c.exec("INSERT INTO ticks (symbol, price, ts) VALUES ('AAPL', 190.00, now())")
        try c.exec("INSERT INTO ticks (symbol, price, ts) VALUES ('AAPL', 150.00, now() - interval '1 day')")
        #expect(try row(c, "SELECT price::text FROM latest_quotes WHERE symbol = 'AAPL'") == ["190.00"])
        #expect(try row(c, "SELECT price::text FROM latest_ticks('{AAPL}')") == ["190.00"])
        #expect(try row(c, "SELECT price FROM (\(TickSQL.latestAll)) q", ["1000"]) == ["190.00"])
        // Equal times: the id breaks the tie.
        try c.exec("INSERT INTO ticks (symbol, price, ts) VALUES ('MSFT', 1, '2026-01-01T00:00Z'), ('MSFT', 2, '2026-01-01T00:00Z')")
        #expect(try row(c, "SELECT price::text FROM latest_quotes WHERE symbol = 'MSFT'") == ["2"])
    }

    @Test func theReferenceIsThePreviousSessionsLastTickByTime() throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.adminURL)
        try c.exec("""
            INSERT INTO ticks (symbol, price, size, ts) VALUES
              ('AAPL', 100.00, 10, (SELECT starts FROM market_session_at()) - interval '2 hours'),
              ('AAPL', 101.00, 10, (SELECT starts FROM market_session_at()) - interval '1 hour'),
              ('AAPL', 103.00, 5,  (SELECT starts FROM market_session_at()) + (now() - (SELECT starts FROM market_session_at())) / 4),
              ('AAPL', 99.00,  7,  (SELECT starts FROM market_session_at()) + (now() - (SELECT starts FROM market_session_at())) / 2),
              ('AAPL', 102.02, 1,  (SELECT starts FROM market_session_at()) + (now() - (SELECT starts FROM market_session_at())) / 3)
            """)
        // A late backfill of yesterday, committed last, changes neither the reference nor the last price.
        try c.exec("INSERT INTO ticks (symbol, price, size, ts) VALUES ('AAPL', 50.00, 1, (SELECT starts FROM market_session_at()) - interval '3 hours')")
        let day = try row(c, "SELECT reference::text, reference_from, open::text, high::text, low::text, last::text, volume::text, change::text, change_pct::text FROM day_quotes('{AAPL}')")
        #expect(day == ["101.00", "previous close", "103.00", "103.00", "99.00", "99.00", "13", "-2.00", "-1.98"])
        #expect(try row(c, "SELECT reference::text FROM day_figures WHERE symbol = 'AAPL'") == ["101.00"])
    }

    /// Schema/006: a delayed symbol's day (through `TickSQL.dayQuotes`, as
    /// `/quotes` asks) comes only from ticks at or before its cut, the
    /// previous close included; a symbol without a cut is live.
    @Test func aCutKeepsNewerTicksOutOfEveryFigure() throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.serverURL)
        try PGConnection(db.feedURL).exec("""
            INSERT INTO ticks (symbol, price, size, ts) SELECT s, p, z, (SELECT starts FROM market_session_at()) + o
            FROM (VALUES ('A', 100.00, 10, interval '-2 hours'), ('A', 101.00, 10, interval '-1 minute'),
                         ('A', 103.00, 5, interval '1 minute'), ('A', 99.00, 7, interval '2 minutes'),
                         ('B', 7.00, 1, interval '1 minute')) v(s, p, z, o)
            """)
        let r = try c.exec(TickSQL.dayQuotes + " ORDER BY symbol", [TickSQL.arrayLiteral(["A", "B"]), TickSQL.cuts([
            "2000-01-01T00:00:00Z", nil])])
        #expect(r.rowCount == 2 && r.string(0, 2) == nil && r.string(0, 7) == nil && r.string(1, 7) == "7.00")
        func day(_ cut: String) throws -> [String?] {
            let r = try c.exec(TickSQL.dayQuotes.replacingOccurrences(of: "$2::timestamptz[]", with: "ARRAY[(SELECT starts FROM market_session_at()) + $2::interval]"),
                               [TickSQL.arrayLiteral(["A"]), cut])
            return (2..<9).map { r.string(0, $0) }
        }
        // reference, reference_from, open, high, low, last, volume
        #expect(try day("-90 minutes") == ["100.00", "previous close", nil, nil, nil, "100.00", "0"])
        #expect(try day("90 seconds") == ["101.00", "previous close", "103.00", "103.00", "103.00", "103.00", "5"])
        #expect(try day("1 hour") == ["101.00", "previous close", "103.00", "103.00", "99.00", "99.00", "12"])
    }

    @Test func aFeedsReferencePriceWinsAndAFirstDayUsesItsOpen() throws {
        let db = try TestCluster.database()
        let feed = try PGConnection(db.feedURL)
        try feed.exec("INSERT INTO ticks (symbol, price, size) VALUES ('NVDA', 120.00, 1), ('NVDA', 121.20, 1)")
        #expect(try row(feed, "SELECT reference::text, reference_from, change_pct::text FROM day_quotes('{NVDA}')") == ["120.00", "day open", "1.00"])
        try feed.exec("INSERT INTO reference_prices (symbol, session, price) SELECT 'NVDA', day, 110 FROM market_session_at()")
        #expect(try row(feed, "SELECT reference::text, reference_from, change::text FROM day_quotes('{NVDA}')") == ["110", "reference_prices", "11.20"])
        // No ticks at all: a row of nulls, not an error.
        #expect(try row(feed, "SELECT symbol, reference, last FROM day_quotes('{NONE}')") == ["NONE", nil, nil])
    }

    @Test func sessionsFollowTheExchangesTimeZoneAndOpeningTime() throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.adminURL)
        try c.exec("UPDATE market_session SET time_zone = 'America/New_York', opens = '09:30'")
        let at = "2026-07-15T12:00:00Z"   // 08:00 in New York (EDT): before the open, so the 14th's session
        #expect(try row(c, "SELECT starts::text, ends::text, day::text FROM market_session_at($1)", [at]).map { $0 ?? "" }
                == ["2026-07-14 13:30:00+00", "2026-07-15 13:30:00+00", "2026-07-14"])
        #expect(try row(c, "SELECT day::text FROM market_session_at('2026-07-15T13:30:00Z')") == ["2026-07-15"])
        #expect(try row(c, "SELECT starts::text FROM market_session_at('2026-12-15T15:00:00Z')") == ["2026-12-15 14:30:00+00"])
    }
}
