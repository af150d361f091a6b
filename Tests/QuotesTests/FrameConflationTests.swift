import Testing
@testable import Quotes

@Suite struct FrameConflationTests {
    let policy = FramePacer.Policy(maxFramesPerSecond: 4, heartbeatSeconds: 15) // at most one frame per 250 ms

    @Test func aBurstOfChangesRendersAtMostTheFrameRate() {
        var p = FramePacer(policy: policy)
        #expect(p.changed(at: 0) == .render)
        var renders = 1
        // 100 changes over one second, every 10 ms; the owner's timer calls due() at each deadline.
        for t in stride(from: Int64(10), through: 1000, by: 10) {
            if p.changed(at: t) == .render { renders += 1 }
            if let d = p.deadline, d <= t, p.due(at: t) == .render { renders += 1 }
        }
        #expect(renders == 5) // t = 0, 250, 500, 750, 1000
        #expect(!p.dirty)
    }

    @Test func theLastChangeOfABurstIsAlwaysRendered() {
        var p = FramePacer(policy: policy)
        #expect(p.changed(at: 0) == .render)
        #expect(p.changed(at: 100) == .wait)
        #expect(p.deadline == 250)
        #expect(p.due(at: 249) == .wait)
        #expect(p.due(at: 250) == .render)
        #expect(p.deadline == 15_250, "then only the heartbeat is due")
    }

    @Test func quietImagesGetAHeartbeatNotARender() {
        var p = FramePacer(policy: policy)
        #expect(p.deadline == nil)
        #expect(p.changed(at: 0) == .render)
        #expect(p.due(at: 14_999) == .wait)
        #expect(p.due(at: 15_000) == .heartbeat)
        #expect(p.deadline == 30_000)
        #expect(p.changed(at: 20_000) == .render, "a change after a quiet spell shows at once")
        #expect(p.deadline == 35_000)
    }

    @Test func viewersOfTheSameSymbolsShareOneRenderPerChange() {
        var cache = FrameCache<String>(policy: policy)
        let key = ["AAPL", "MSFT"]
        #expect(cache.join(key, at: 0) == nil) // first viewer: render now
        cache.store("frame1", for: key)
        for _ in 1..<1000 { #expect(cache.join(key, at: 1) == "frame1") }
        #expect(cache.viewers == 1000 && cache.images == 1 && cache.renders == 1)

        #expect(cache.ticked("MSFT", at: 300) == [.render(key)])
        cache.store("frame2", for: key)
        #expect(cache.ticked("AAPL", at: 310) == [], "held back by the frame rate")
        #expect(cache.ticked("MSFT", at: 320) == [])
        #expect(cache.deadline == 550)
        #expect(cache.due(at: 550) == [.render(key)])
        cache.store("frame3", for: key)
        #expect(cache.renders == 3, "three renders for 1,000 viewers and four ticks")
        #expect(cache.ticked("TSLA", at: 600) == [], "nobody watches TSLA")
    }

    @Test func aWholeImageCanBeMarkedChanged() {
        var cache = FrameCache<String>(policy: policy)
        _ = cache.join(["A", "B"], at: 0); cache.store("ab", for: ["A", "B"])
        #expect(cache.changed(["A", "B"], at: 100) == nil)
        #expect(cache.changed(["A", "B"], at: 200) == nil, "one render at the deadline for both")
        #expect(cache.due(at: 250) == [.render(["A", "B"])])
        #expect(cache.changed(["X"], at: 300) == nil, "unknown images are ignored")
    }

    @Test func eachDistinctSymbolListIsItsOwnImage() {
        var cache = FrameCache<String>(policy: policy)
        #expect(cache.join(["AAPL"], at: 0) == nil); cache.store("a", for: ["AAPL"])
        #expect(cache.join(["AAPL", "MSFT"], at: 0) == nil); cache.store("am", for: ["AAPL", "MSFT"])
        #expect(cache.join(["MSFT", "AAPL"], at: 0) == nil, "another order is another picture")
        cache.store("ma", for: ["MSFT", "AAPL"])
        #expect(cache.ticked("AAPL", at: 1000) == [.render(["AAPL"]), .render(["AAPL", "MSFT"]), .render(["MSFT", "AAPL"])])
        #expect(cache.ticked("MSFT", at: 2000) == [.render(["AAPL", "MSFT"]), .render(["MSFT", "AAPL"])])
    }

    @Test func heartbeatsResendTheStoredFrame() {
        var cache = FrameCache<String>(policy: policy)
        _ = cache.join(["A"], at: 0); cache.store("a", for: ["A"])
        #expect(cache.due(at: 10_000) == [])
        #expect(cache.due(at: 15_000) == [.heartbeat(["A"])])
        #expect(cache.frame(for: ["A"]) == "a")
        #expect(cache.renders == 1)
    }

    @Test func theLastViewerLeavingFreesTheImage() {
        var cache = FrameCache<String>(policy: policy)
        _ = cache.join(["A", "B"], at: 0); cache.store("ab", for: ["A", "B"])
        _ = cache.join(["A", "B"], at: 0)
        cache.leave(["A", "B"])
        #expect(cache.images == 1 && cache.viewers == 1)
        cache.leave(["A", "B"])
        #expect(cache.images == 0 && cache.deadline == nil)
        #expect(cache.ticked("A", at: 1) == [])
        cache.leave(["A", "B"]) // a late duplicate leave is harmless
        #expect(cache.join(["A", "B"], at: 2) == nil, "a new viewer later starts a fresh image")
    }
}
