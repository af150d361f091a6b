/// Reconnect delays: exponential from `initial` to `maximum`, reset by a success.
/// A plain value so its policy is tested without a socket.
struct Backoff {
    let initial: Double
    let maximum: Double
    private(set) var next: Double

    init(initial: Double = 0.05, maximum: Double = 2.0) {
        self.initial = initial
        self.maximum = maximum
        self.next = initial
    }

    /// The delay before the next attempt; doubles the one after it.
    mutating func failed() -> Double {
        defer { next = min(next * 2, maximum) }
        return next
    }

    mutating func succeeded() { next = initial }
}
