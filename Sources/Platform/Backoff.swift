/// Reconnect delays: exponential from `initial` to `maximum`, reset by a success.
/// A plain value so its policy is tested without a socket.
public struct Backoff: Sendable {
    public let initial: Double
    public let maximum: Double
    public private(set) var next: Double

    public init(initial: Double = 0.05, maximum: Double = 2.0) {
        self.initial = initial
        self.maximum = maximum
        self.next = initial
    }

    /// The delay before the next attempt; doubles the one after it.
    public mutating func failed() -> Double {
        defer { next = min(next * 2, maximum) }
        return next
    }

    public mutating func succeeded() { next = initial }
}
