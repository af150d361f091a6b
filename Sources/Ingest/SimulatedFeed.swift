import Foundation
import Logging
import Postgres
import Quotes

/// Drives a `MarketSimulator` in real time: `rate` ticks per second in all,
/// written every `interval` as one batch (one statement, one NOTIFY).
/// Survives database restarts: a lost connection is retried with backoff.
public final class SimulatedFeed: @unchecked Sendable {
    public let rate: Double
    public let duration: Double?
    public let interval: Double
    private var simulator: MarketSimulator
    private let logger: Logger
    private let stopLock = NSLock()
    private var stopped = false

    public init(symbols: [String], rate: Double, duration: Double?, logger: Logger) {
        self.rate = rate
        self.duration = duration
        // Batch at most every 50 ms, but never hold a tick longer than its own gap.
        self.interval = min(0.05, 1 / max(rate, 0.001))
        self.simulator = MarketSimulator(symbols: symbols)
        self.logger = logger
    }

    public func stop() {
        stopLock.lock(); stopped = true; stopLock.unlock()
    }

    private var isStopped: Bool {
        stopLock.lock(); defer { stopLock.unlock() }
        return stopped
    }

    /// Runs until `duration` passes or `stop()` is called; returns ticks stored.
    @discardableResult
    public func run(url: String) throws -> Int {
        var writer: TickWriter? = try TickWriter(url: url, logger: logger)
        let start = Date()
        var due = 0.0
        var stored = 0
        var batch = CopyBatch()
        var backoff = 0.1
        var warnings = LogRateLimiter()
        while !isStopped {
            let elapsed = Date().timeIntervalSince(start)
            if let duration, elapsed >= duration { break }
            let target = rate * elapsed
            let n = Int(target - due)
            if n > 0 {
                for _ in 0..<n { _ = batch.append(simulator.nextRow(dt: 1 / max(rate, 1) * Double(simulator.quotes.count)), line: 0) }
                due += Double(n)
            }
            if !batch.isEmpty {
                do {
                    if writer == nil { writer = try TickWriter(url: url, logger: logger) }
                    stored += try writer!.write(batch).stored
                    batch.removeAll()
                    backoff = 0.1
                    if let outage = warnings.success(at: Date().timeIntervalSince(start)) {
                        logger.notice("feed: database reachable again after \(Int(outage.seconds.rounded())) s (\(outage.failures) failed attempts)")
                    }
                } catch {
                    if let held = warnings.failure(at: Date().timeIntervalSince(start)) {
                        let more = held > 0 ? " (\(held) more failures since the last warning)" : ""
                        logger.warning("feed: database unavailable (\(error)); retrying\(more)")
                    }
                    writer = nil
                    batch.removeAll() // a simulated market does not replay missed ticks
                    Thread.sleep(forTimeInterval: backoff)
                    backoff = min(backoff * 2, 2)
                    continue
                }
            }
            Thread.sleep(forTimeInterval: interval)
        }
        return stored
    }
}
