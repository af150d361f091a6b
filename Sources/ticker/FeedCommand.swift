import ArgumentParser
import Foundation
import Ingest
import Postgres

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
    @OptionGroup var db: DatabaseOptions

    func validate() throws {
        let modes = [simulate, csv != nil, jsonl != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("choose one of --simulate, --csv FILE or --jsonl FILE") }
        guard rate > 0, rate <= 1_000_000 else { throw ValidationError("--rate must be between 0 and 1000000 ticks per second") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be a positive number of seconds") }
        guard batchRows > 0 else { throw ValidationError("--batch-rows must be positive") }
        _ = try parseSymbols(symbols)
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
                print("stored \(n) simulated ticks")
            } catch { die("\(error)", code: 2) }
            return
        }
        var file = FileFeed(path: csv ?? jsonl!, format: csv != nil ? .csv : .jsonl)
        file.batchRows = batchRows
        file.showProgress = isatty(2) == 1 || (csv ?? jsonl) != "-"
        do {
            let writer = try TickWriter(url: target.feedURL, logger: logger)
            let s = try file.run(into: writer)
            let line = "stored \(s.stored) ticks in \(String(format: "%.2f", s.seconds)) s (\(Int(s.rowsPerSecond)) ticks/s)"
                + (s.rejected > 0 ? ", rejected \(s.rejected) rows" : "")
            FileHandle.standardError.write(Data((line + "\n").utf8))
            if s.rejected > 0 { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch { die("\(error)", code: 2) }
    }
}
