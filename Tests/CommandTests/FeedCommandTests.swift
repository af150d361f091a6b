import Foundation
import Postgres
import Testing
import TickerTestSupport

/// `ticker feed` as the README shows it.
@Suite struct FeedCommandTests {
    @Test func aYahooFinanceExportLoadsInOneCommand() throws {
        let db = try TestCluster.database()
        let csv = NSTemporaryDirectory() + "IBM-\(UUID().uuidString).csv"
        try "\u{FEFF}Date,Open,High,Low,Close,Adj Close,Volume\r\n2024-01-02,162.830002,163.289993,160.380005,161.500000,155.000000,4285800\r\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let (status, output) = try TickerCommand.run(["feed", "--csv", csv, "--symbol", "IBM", "--columns", "price=Close,ts=Date,size=Volume",
                                                      "--ignore-unknown", "--database-url", db.feedURL])
        #expect(status == 0, "\(output)")
        #expect(output == "stored 1 tick\n") // no progress line, no rate of one row
        let r = try PGConnection(db.adminURL).exec("SELECT symbol, price::text, size FROM ticks")
        #expect(r.rowCount == 1 && r.string(0, 0) == "IBM" && r.string(0, 1) == "161.500000" && r.int64(0, 2) == 4_285_800)
    }

    @Test func badMappingsAreUsageErrors() throws {
        for (args, message) in [(["--columns", "prise=Close"], "ticker: --columns: 'prise' is not a field"),
                                (["--ts-format", "unix"], "ticker: --ts-format must be iso, epoch-s or epoch-ms, not 'unix'"),
                                (["--symbol", "<b>"], "ticker: --symbol: symbol '<b>' may only contain")] {
            let (status, output) = try TickerCommand.run(["feed", "--csv", "/dev/null"] + args, environment: TickerCommand.isolatedEnvironment())
            #expect(status == 64 && output.hasPrefix(message), "\(output)")
        }
    }
}
