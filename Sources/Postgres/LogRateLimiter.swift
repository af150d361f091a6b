/// Which warnings of a repeating failure to log: the first at once, then at
/// most one per `interval` carrying how many were held back, and one line when
/// it ends. A database down for a minute, retried every 0.05-2 s, otherwise
/// writes a warning every second or two and nothing when it comes back.
///
/// A plain value driven by the caller's clock, so its policy is tested without
/// a database.
public struct LogRateLimiter: Sendable {
    /// Seconds between two logged warnings of one outage.
    public let interval: Double
    private var started: Double?
    private var lastLogged = 0.0
    private var failures = 0
    private var held = 0

    /// How long a failure lasted, for the line that says it ended.
    public struct Outage: Equatable, Sendable {
        public let seconds: Double
        public let failures: Int

        public init(seconds: Double, failures: Int) {
            self.seconds = seconds
            self.failures = failures
        }
    }

    public init(interval: Double = 30) { self.interval = interval }

    /// A failure at `now`. Returns nil to stay quiet, or the number of
    /// failures held back since the last logged one (0 for the first).
    public mutating func failure(at now: Double) -> Int? {
        failures += 1
        guard started != nil else {
            started = now
            lastLogged = now
            return 0
        }
        guard now - lastLogged >= interval else { held += 1; return nil }
        defer { held = 0; lastLogged = now }
        return held
    }

    /// A success at `now`: the outage it ends, if there was one (log it), else nil.
    public mutating func success(at now: Double) -> Outage? {
        guard let started else { return nil }
        defer { self.started = nil; failures = 0; held = 0 }
        return Outage(seconds: now - started, failures: failures)
    }
}
