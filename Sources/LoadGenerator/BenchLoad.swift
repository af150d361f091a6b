/// What `ticker bench` needs of its subscribers, whether they live in this
/// process (`BenchSubscribers`) or in several (`BenchProcesses`, for runs past
/// one process's open-file limit or its one loop thread).
public protocol BenchLoad: AnyObject {
    /// Opens the subscribers (`paths[i]` is subscriber i's request); returns the seconds it took.
    func open(host: String, port: Int, paths: [String], sources: [String], timeout: Double) -> Double
    /// Subscribers that opened so far.
    var opened: Int { get }
    /// Subscribers that could not open.
    var failed: Int { get }
    /// Subscribers the server closed after they had opened.
    var closed: Int { get }
    /// Waits until no tick has arrived for `quiet` seconds: late ticks count as late, not lost.
    func settle(quiet: Double)
    /// Ends the load and returns every delivery recorded.
    func stop() -> [BenchSubscribers.Delivery]
    /// Indexes of the subscribers that opened; read after `stop()`.
    var openedIndexes: [Int] { get }
}

extension BenchSubscribers: BenchLoad {
    public func settle(quiet: Double) { settle(quiet: quiet, firstWait: 30, limit: 120 + quiet) }
}
