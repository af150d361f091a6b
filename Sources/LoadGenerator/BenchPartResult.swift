import Foundation

/// What one bench process of `ticker bench --processes N` hands back to the
/// parent: which of its subscribers opened, how many failed or were closed, and
/// every delivery. Binary, written and read by the same executable.
///
/// Arrival times are `MonotonicClock` readings (CLOCK_MONOTONIC, one clock for
/// the whole machine), so the parent compares them with its own commit times.
public struct BenchPartResult {
    public var openedIndexes: [Int]
    public var failed: Int
    public var closed: Int
    public var deliveries: [BenchSubscribers.Delivery]

    public init(openedIndexes: [Int], failed: Int, closed: Int, deliveries: [BenchSubscribers.Delivery]) {
        self.openedIndexes = openedIndexes
        self.failed = failed
        self.closed = closed
        self.deliveries = deliveries
    }

    /// Layout: four Int64 counts (opened, failed, closed, deliveries), the
    /// opened indexes as Int64, then each delivery as (Int64 subscriber, Int64 id, Double at).
    public func write(to path: String) throws {
        var words: [Int64] = [Int64(openedIndexes.count), Int64(failed), Int64(closed), Int64(deliveries.count)]
        words.reserveCapacity(4 + openedIndexes.count + 3 * deliveries.count)
        words += openedIndexes.map(Int64.init)
        for d in deliveries { words += [Int64(d.subscriber), d.id, Int64(bitPattern: d.at.bitPattern)] }
        try words.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
    }

    public init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let words: [Int64] = data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        guard words.count >= 4 else { throw CocoaError(.fileReadCorruptFile) }
        let opened = Int(words[0]), count = Int(words[3])
        guard words.count == 4 + opened + 3 * count else { throw CocoaError(.fileReadCorruptFile) }
        openedIndexes = words[4..<(4 + opened)].map(Int.init)
        failed = Int(words[1])
        closed = Int(words[2])
        deliveries = (0..<count).map { i in
            let at = 4 + opened + 3 * i
            return BenchSubscribers.Delivery(subscriber: Int32(words[at]), id: words[at + 1],
                                             at: Double(bitPattern: UInt64(bitPattern: words[at + 2])))
        }
    }
}
