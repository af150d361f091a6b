import Logging
import Postgres
import Quotes

/// Writes validated batches into `ticks`, one COPY statement per batch (so
/// one NOTIFY per batch). When the database refuses a batch that passed the
/// client-side checks, it retries the rows one by one so that the good rows
/// are kept and each bad one is reported with its line number.
public final class TickWriter {
    private let url: String
    private var connection: PGConnection
    private let logger: Logger

    public init(url: String, logger: Logger) throws(PGError) {
        self.url = url
        self.logger = logger
        connection = try PGConnection(url, logger: logger)
        try Self.prepare(connection)
    }

    private static func prepare(_ c: PGConnection) throws(PGError) {
        // Timestamps without an offset are read as UTC; commits need not wait
        // for other sessions' notifications to be read.
        try c.execScript("SET TimeZone = 'UTC'; SET application_name = 'ticker feed'")
    }

    /// What one batch did.
    public struct Outcome: Sendable {
        public var stored = 0
        /// `(line, reason)` for each row the database refused.
        public var refused: [(line: Int, reason: String)] = []
    }

    /// Stores `batch`; throws only when the connection is lost (nothing of the
    /// batch is then known to be stored).
    public func write(_ batch: CopyBatch) throws(PGError) -> Outcome {
        var outcome = Outcome()
        if batch.isEmpty { return outcome }
        do {
            outcome.stored = try copy(batch)
        } catch let error where !error.isConnectionLoss {
            for entry in batch.entries {
                do {
                    outcome.stored += try connection.copyIn(Self.copySQL(timed: entry.timed), [batch.bytes(of: entry)])
                } catch let rowError where !rowError.isConnectionLoss {
                    outcome.refused.append((entry.line, Self.firstLine(rowError.message)))
                }
            }
        }
        return outcome
    }

    /// Reconnects after a lost connection.
    public func reconnect() throws(PGError) {
        connection = try PGConnection(url, logger: logger)
        try Self.prepare(connection)
    }

    /// One COPY per run of alike rows: rows with and without `ts` need
    /// different column lists, and runs keep ids in line order. A batch of one
    /// kind (the usual case) is one statement; a mixed one is several in one
    /// transaction, whose identical NOTIFYs fold into one.
    private func copy(_ batch: CopyBatch) throws(PGError) -> Int {
        var runs: [(timed: Bool, bytes: ArraySlice<UInt8>)] = []
        let entries = batch.entries
        var start = 0
        while start < entries.count {
            var end = start
            while end + 1 < entries.count, entries[end + 1].timed == entries[start].timed { end += 1 }
            let first = entries[start], last = entries[end]
            let range = first.range.lowerBound..<last.range.upperBound
            runs.append((first.timed, first.timed ? batch.withTime[range] : batch.withoutTime[range]))
            start = end + 1
        }
        if runs.count == 1 { return try connection.copyIn(Self.copySQL(timed: runs[0].timed), [runs[0].bytes]) }
        try connection.execScript("BEGIN")
        do {
            var n = 0
            for run in runs { n += try connection.copyIn(Self.copySQL(timed: run.timed), [run.bytes]) }
            try connection.execScript("COMMIT")
            return n
        } catch {
            try? connection.execScript("ROLLBACK")
            throw error
        }
    }

    static func copySQL(timed: Bool) -> String {
        "COPY ticks (\(timed ? CopyBatch.columnsWithTime : CopyBatch.columnsWithoutTime)) FROM STDIN"
    }

    /// The first line of a server message, without libpq's "ERROR:" prefix or COPY context.
    static func firstLine(_ message: String) -> String {
        var line = message.split(separator: "\n").first.map(String.init) ?? message
        if line.hasPrefix("ERROR:") { line = String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        return "refused by the database: " + line
    }
}

import Foundation
