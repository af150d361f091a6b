import Testing
@testable import EventHTTP

/// Timer waits computed from outside input (a token's `exp`): any Double arms
/// a timer, never a trap in the conversion to `timeval`.
@Suite struct LoopTimeoutTests {
    @Test func waitsAreClampedToWhatLibeventTakes() {
        #expect(LoopEvent.clampedTimeout(1.5) == 1.5)
        #expect(LoopEvent.clampedTimeout(-5) == 0)
        #expect(LoopEvent.clampedTimeout(.nan) == 0)
        #expect(LoopEvent.clampedTimeout(1e300) == LoopEvent.longestTimeout)
        #expect(LoopEvent.clampedTimeout(.infinity) == LoopEvent.longestTimeout)
    }

    @Test func absurdWaitsArmWithoutTrapping() {
        let loop = EventLoop()
        var fired: [String] = []
        let timers = [loop.after(1e300) { fired.append("huge") }, loop.after(.infinity) { fired.append("infinite") },
                      loop.after(.nan) { fired.append("nan") }, loop.after(-5) { fired.append("past") },
                      loop.after(0.3) { loop.stop() }]
        loop.run()
        #expect(Set(fired) == ["nan", "past"])
        _ = timers
    }
}
