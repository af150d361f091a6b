import Glibc

/// Seconds on the monotonic clock, for measuring intervals (never wall time):
/// the server's fetch lag, the bench's latencies, test deadlines.
public enum MonotonicClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
