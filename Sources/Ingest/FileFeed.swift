import Foundation
import Glibc
import Logging
import Quotes

/// Replays a CSV or JSON-lines file (or standard input) into the database.
///
/// Lines are decoded and validated as bytes and gathered into batches of up to
/// `batchRows`; each batch is one COPY. A live pipe's partial batch is flushed
/// whenever the reader would wait for more input, so piped ticks show up at once.
/// Bad rows are reported as `line N: reason` and skipped; good rows are kept.
public struct FileFeed {
    public enum Format: String, Sendable { case csv, jsonl }

    public let path: String
    public let format: Format
    public var batchRows = 20_000
    /// Where `line N: reason` reports and progress go.
    public var report: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    public var showProgress = false
    /// How the file's columns or keys become fields (`--columns`, `--symbol`, ...).
    public var mapping = FeedMapping()

    public init(path: String, format: Format) {
        self.path = path
        self.format = format
    }

    /// What a replay did.
    public struct Summary: Sendable {
        public var stored = 0
        public var rejected = 0
        public var seconds = 0.0
        public var rowsPerSecond: Double { seconds > 0 ? Double(stored) / seconds : 0 }

        public init() {}

        /// The line `ticker feed` ends with. A pipe's rate is the writer's
        /// pace, not ours, and a small file's is mostly connecting: both are left out.
        public func line(fromPipe: Bool) -> String {
            var text = "stored \(stored) \(stored == 1 ? "tick" : "ticks")"
            if !fromPipe && stored >= 1000 && seconds > 0 {
                text += " in \(String(format: "%.2f", seconds)) s (\(Int(rowsPerSecond.rounded())) ticks/s)"
            }
            if rejected > 0 { text += ", rejected \(rejected) \(rejected == 1 ? "row" : "rows")" }
            return text
        }
    }

    public func run(into writer: TickWriter) throws -> Summary {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else { throw FeedError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }

        var reader = LineReader(fd: fd)
        var summary = Summary()
        let started = Date()
        var lastProgress = started
        var batch = CopyBatch()
        var lineNumber = 0
        var decoder: any FeedDecoder

        func reject(_ line: Int, _ reason: String) {
            summary.rejected += 1
            report("line \(line): \(reason)")
        }
        /// Writes the batch; `progress` allows a progress line (not for the last
        /// batch, which the summary line follows).
        func flush(progress: Bool = true) throws {
            guard !batch.isEmpty else { return }
            let outcome = try writer.write(batch)
            summary.stored += outcome.stored
            for (line, reason) in outcome.refused { reject(line, reason) }
            batch.removeAll()
            if progress, showProgress, Date().timeIntervalSince(lastProgress) >= 1 {
                lastProgress = Date()
                let rate = Double(summary.stored) / lastProgress.timeIntervalSince(started)
                report("\(summary.stored) \(summary.stored == 1 ? "tick" : "ticks") stored so far (\(Int(rate.rounded())) ticks/s)")
            }
        }

        switch format {
        case .jsonl:
            decoder = JSONLinesFeedDecoder(mapping: mapping)
        case .csv:
            var header: ArraySlice<UInt8>?
            while header == nil, let line = reader.next() {
                lineNumber += 1
                let line = CSVFeedDecoder.droppingByteOrderMark(line)
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { header = line }
            }
            guard let header else { throw FeedError("\(path) is empty: a CSV feed starts with a header row such as symbol,price,size,ts") }
            do { decoder = try CSVFeedDecoder(header: header, mapping: mapping) } catch {
                throw FeedError("line \(lineNumber): \(error.message)")
            }
        }

        var flushError: Error?
        while let line = reader.next(beforeWaiting: { do { try flush() } catch { flushError = error } }) {
            if let flushError { throw flushError }
            lineNumber += 1
            let line = lineNumber == 1 ? CSVFeedDecoder.droppingByteOrderMark(line) : line
            if line.isEmpty || line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            switch decoder.decode(line) {
            case .failure(let error):
                reject(lineNumber, error.message)
            case .success(let row):
                if let problem = batch.append(row, line: lineNumber) { reject(lineNumber, problem) }
            }
            if batch.count >= batchRows { try flush() }
        }
        if let flushError { throw flushError }
        try flush(progress: false)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

/// A feed problem that stops the feed; `description` is the line a user sees.
public struct FeedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
