import ArgumentParser
import Foundation
import Ingest
import Postgres
import Quotes

/// `ticker feed`: simulated quotes, or a CSV / JSON-lines replay.
struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write ticks into PostgreSQL: a simulated market, or a CSV / JSON-lines file ('-' reads stdin).",
        discussion: "Exit status: 0 all rows stored, 1 some rows rejected (each reported as 'line N: reason'), 2 the feed could not run.")

    @Flag(help: "Random-walk quotes for --symbols at --rate ticks/s.") var simulate = false
    @Option(help: "CSV file with a header row (symbol,price required; size,ts,bid,ask optional).") var csv: String?
    @Option(help: "JSON-lines file, one {\"symbol\":..,\"price\":..} object per line.") var jsonl: String?
    @Option(help: "Symbols to simulate, comma-separated (default: 20 well-known tickers).") var symbols: String?
    @Option(help: "Simulated ticks per second, all symbols together.") var rate: Double = 20
    @Option(help: "Stop the simulation after this many seconds (default: run until Ctrl-C).") var duration: Double?
    @Option(name: .customLong("batch-rows"), help: "Rows per COPY statement when replaying a file.") var batchRows = 20_000
    @Option(help: "Fields from other columns (or JSON keys), e.g. symbol=Ticker,price=Close,ts=Date,size=Volume.")
    var columns: String?
    @Flag(name: .customLong("ignore-unknown"), help: "Skip columns (or JSON keys) that fill no field instead of refusing the file.")
    var ignoreUnknown = false
    @Option(help: "The symbol of rows that give none (a one-symbol export).") var symbol: String?
    @Option(name: .customLong("ts-format"), help: "How ts is written: iso (a date alone is midnight UTC), epoch-s or epoch-ms.")
    var tsFormat = "iso"
    @OptionGroup var db: DatabaseOptions

    func validate() throws {
        let modes = [simulate, csv != nil, jsonl != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("choose one of --simulate, --csv FILE or --jsonl FILE") }
        try OptionCheck.number(rate, "--rate", OptionCheck.ticksPerSecond, "ticks per second")
        if let duration { try OptionCheck.number(duration, "--duration", OptionCheck.seconds, "seconds") }
        try OptionCheck.whole(batchRows, "--batch-rows", 1...1_000_000)
        _ = try parseSymbols(symbols)
        _ = try mapping()
    }

    /// `--columns`, `--ignore-unknown`, `--symbol`, `--ts-format` as one value.
    func mapping() throws -> FeedMapping {
        guard let format = TimestampText.Format(rawValue: tsFormat) else {
            throw ValidationError("--ts-format must be iso, epoch-s or epoch-ms, not '\(tsFormat.prefix(20))'")
        }
        do {
            return try FeedMapping(columns: columns, ignoreUnknown: ignoreUnknown, symbol: symbol, timestamps: format)
        } catch { throw ValidationError(error.message) }
    }

    func run() throws {
        let logger = try db.logger("ticker.feed")
        let target: DatabaseTarget
        do { target = try DatabaseTarget.resolve(url: db.databaseURL) } catch { die("\(error)", code: 2) }
        if simulate {
            let feed = SimulatedFeed(symbols: try parseSymbols(symbols), rate: rate, duration: duration, logger: logger)
            signal(SIGINT) { _ in Glibc.exit(0) }
            do {
                let n = try feed.run(url: target.feedURL)
                print("stored \(n) simulated \(n == 1 ? "tick" : "ticks")")
            } catch { die("\(error)", code: 2) }
            return
        }
        var file = FileFeed(path: csv ?? jsonl!, format: csv != nil ? .csv : .jsonl)
        file.batchRows = batchRows
        file.mapping = try mapping()
        file.showProgress = isatty(2) == 1 || (csv ?? jsonl) != "-"
        do {
            let writer = try TickWriter(url: target.feedURL, logger: logger)
            let s = try file.run(into: writer)
            FileHandle.standardError.write(Data((s.line(fromPipe: (csv ?? jsonl) == "-") + "\n").utf8))
            if s.rejected > 0 { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch { die("\(error)", code: 2) }
    }
}
