import Postgres
import Testing

@Suite struct LogRateLimiterTests {
    @Test func aLongOutageLogsItsStartThenOneLinePerIntervalAndItsEnd() {
        var limiter = LogRateLimiter(interval: 30)
        #expect(limiter.success(at: 0) == nil) // no outage, nothing to say
        // Retries every 0.5 s for 65 s: three warnings, not 130.
        var logged: [(Double, Int)] = []
        var t = 1.0
        while t < 66 {
            if let held = limiter.failure(at: t) { logged.append((t, held)) }
            t += 0.5
        }
        #expect(logged.map(\.0) == [1, 31, 61])
        #expect(logged.map(\.1) == [0, 59, 59])
        #expect(limiter.success(at: 66) == LogRateLimiter.Outage(seconds: 65, failures: 130))
        // A new outage starts afresh.
        #expect(limiter.failure(at: 70) == 0)
        #expect(limiter.failure(at: 71) == nil)
        #expect(limiter.success(at: 72) == LogRateLimiter.Outage(seconds: 2, failures: 2))
    }
}
