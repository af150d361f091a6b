import Foundation
import Ingest
import Logging
import Postgres
import Quotes
import Testing
import TickerTestSupport

/// Real-world files through the whole feed into PostgreSQL: what is stored is
/// what a user then sees.
@Suite struct RealFileFeedTests {
    func write(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "real-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func feed(_ path: String, _ db: DatabaseTarget, format: FileFeed.Format = .csv, mapping: FeedMapping = FeedMapping()) throws -> (FileFeed.Summary, [String]) {
        var reports: [String] = []
        var f = FileFeed(path: path, format: format)
        f.mapping = mapping
        f.report = { reports.append($0) }
        return (try f.run(into: TickWriter(url: db.feedURL, logger: Logger(label: "t"))), reports)
    }

    func rows(_ db: DatabaseTarget, _ sql: String) throws -> [String] {
        let r = try PGConnection(db.adminURL).exec(sql)
        return (0..<r.rowCount).map { i in (0..<r.columnCount).map { r.string(i, $0) ?? "null" }.joined(separator: " ") }
    }

    @Test func everyMixOfByteOrderMarkCRLFAndQuotesLoads() throws {
        let db = try TestCluster.database()
        var n = 0
        for bom in [false, true] {
            for crlf in [false, true] {
                for quotedHeader in [false, true] {
                    for quotedValues in [false, true] {
                        n += 1
                        let q = { (s: String) in quotedValues ? "\"\(s)\"" : s }
                        let header = quotedHeader ? "\"symbol\",\"price\",\"size\"" : "symbol,price,size"
                        let lines = [header, "\(q("S\(n)")),\(q("1.5")),\(q("10"))", "\(q("S\(n)")),\(q("2")),\(q(""))"]
                        let eol = crlf ? "\r\n" : "\n"
                        let text = lines.joined(separator: eol) + (n % 2 == 0 ? eol : "") // with and without a final newline
                        let (s, reports) = try feed(write((bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)), db)
                        #expect(s.stored == 2 && reports.isEmpty, "bom \(bom) crlf \(crlf) quoted header \(quotedHeader) values \(quotedValues): \(reports)")
                    }
                }
            }
        }
        #expect(try rows(db, "SELECT count(*), count(DISTINCT symbol), sum(size) FROM ticks") == ["32 16 160"])
        // JSON lines with a byte-order mark too.
        let (s, reports) = try feed(write([0xEF, 0xBB, 0xBF] + Array("{\"symbol\":\"J\",\"price\":1}\r\n".utf8)), db, format: .jsonl)
        #expect(s.stored == 1 && reports.isEmpty, "\(reports)")
    }

    @Test func aYahooFinanceExportLoadsInOneCommand() throws {
        let db = try TestCluster.database()
        let path = try write(Array("""
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-02,162.830002,163.289993,160.380005,161.500000,155.000000,4285800
            2024-01-03,161.000000,161.729996,160.080002,160.100006,153.656189,3965000

            """.utf8))
        let mapping = try FeedMapping(columns: "price=Close,ts=Date,size=Volume", ignoreUnknown: true, symbol: "IBM")
        let (s, reports) = try feed(path, db, mapping: mapping)
        #expect(s.stored == 2 && reports.isEmpty, "\(reports)")
        #expect(try rows(db, "SELECT symbol, price::text, size, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM ticks ORDER BY ts") == [
            "IBM 161.500000 4285800 2024-01-02 00:00", "IBM 160.100006 3965000 2024-01-03 00:00",
        ])
    }

    @Test func offsetsEpochsAndLowerCaseSymbolsAreStoredAsTheSameInstant() throws {
        let db = try TestCluster.database()
        let iso = try write(Array("symbol,price,ts\nibm,1,2023-11-14T23:13:20+01:00\nIBM,2,2023-11-14T14:13:20-0800\nIBM,3,2023-11-15T03:43:20+05:30\nIBM,4,2023-11-14T23:13:20+01\n".utf8))
        #expect(try feed(iso, db).0.stored == 4)
        let seconds = try write(Array("symbol,price,ts\nIBM,5,1700000000\n".utf8))
        #expect(try feed(seconds, db, mapping: FeedMapping(columns: nil, timestamps: .epochSeconds)).0.stored == 1)
        let millis = try write(Array("{\"symbol\":\"ibm\",\"price\":6,\"ts\":1700000000000}\n".utf8))
        #expect(try feed(millis, db, format: .jsonl, mapping: FeedMapping(columns: nil, timestamps: .epochMilliseconds)).0.stored == 1)
        #expect(try rows(db, "SELECT DISTINCT symbol, extract(epoch FROM ts)::bigint FROM ticks") == ["IBM 1700000000"])
    }

    @Test func theSummaryLineReadsRight() {
        var s = FileFeed.Summary()
        s.stored = 1
        s.seconds = 1.3
        #expect(s.line(fromPipe: false) == "stored 1 tick")
        s.stored = 50_000; s.seconds = 2; s.rejected = 1
        #expect(s.line(fromPipe: false) == "stored 50000 ticks in 2.00 s (25000 ticks/s), rejected 1 row")
        #expect(s.line(fromPipe: true) == "stored 50000 ticks, rejected 1 row")
    }
}
