import Testing
@testable import Comet
import Quotes

private func tick(_ id: Int64, _ symbol: String = "A") -> EncodedTick {
    EncodedTick(Tick(id: id, symbol: symbol, price: "1", ts: "2026-11-24T12:00:00.000000Z"))
}

@Suite struct ResumePlanTests {
    @Test func everyCursorHasOnePlace() {
        // Server cursor 100; the in-memory log holds everything after 40.
        #expect(ResumePlan(since: nil, cursor: 100, logFloor: 40) == .fresh)
        #expect(ResumePlan(since: 101, cursor: 100, logFloor: 40) == .unknownCursor)
        #expect(ResumePlan(since: 100, cursor: 100, logFloor: 40) == .upToDate)
        #expect(ResumePlan(since: 40, cursor: 100, logFloor: 40) == .fromLog(after: 40))
        #expect(ResumePlan(since: 39, cursor: 100, logFloor: 40) == .fromDatabase(after: 39))
        #expect(ResumePlan(since: 0, cursor: 0, logFloor: 0) == .upToDate)
    }

    @Test func snapshotsOnlyForNewOrUntrustedCursors() {
        #expect(ResumePlan.fresh.needsSnapshot && ResumePlan.unknownCursor.needsSnapshot)
        #expect(!ResumePlan.upToDate.needsSnapshot && !ResumePlan.fromLog(after: 1).needsSnapshot)
        #expect(ResumePlan.fromDatabase(after: 7).needsDatabase && ResumePlan.fromDatabase(after: 7).missedAfter == 7)
        #expect(!ResumePlan.fromLog(after: 7).needsDatabase && ResumePlan.fromLog(after: 7).missedAfter == 7)
        #expect(ResumePlan.fresh.missedAfter == nil)
    }
}

@Suite struct StreamFlowTests {
    func delivered(_ flow: inout StreamFlow, pendingOutput: Int = 0) -> [Int64] {
        var ids: [Int64] = []
        flow.deliver(pendingOutput: pendingOutput) { ids += $0.map(\.id) }
        return ids
    }

    @Test func liveTicksGoOutOncePerWakeUp() {
        var f = StreamFlow(since: 0, replaying: false, outputLimit: 1000)
        f.accept(tick(1)); f.accept(tick(2))
        #expect(delivered(&f) == [1, 2])
        #expect(delivered(&f) == [])
        #expect(f.lastID == 2)
    }

    @Test func aReplayHoldsLiveTicksAndSendsEachOnce() {
        var f = StreamFlow(since: 10, replaying: true, outputLimit: 1000)
        f.accept(tick(14)); f.accept(tick(15))
        #expect(delivered(&f) == []) // held while replaying
        // The replay read up to 14 (the cursor when the stream opened was 14).
        #expect(f.finishReplay([tick(11), tick(14)]).map(\.id) == [11, 14, 15])
        f.accept(tick(16))
        #expect(delivered(&f) == [16])
    }

    @Test func anAbandonedReplayStartsAfresh() {
        var f = StreamFlow(since: 10, replaying: true, outputLimit: 1000)
        f.accept(tick(90)); f.accept(tick(120))
        #expect(f.abandonReplay(cursor: 100)?.map(\.id) == [120])
        #expect(f.abandonReplay(cursor: 100) == nil) // only once
    }

    @Test func aSlowReaderIsConflatedAndToldHowMuchItMissed() {
        var f = StreamFlow(since: 0, replaying: false, outputLimit: 1000)
        f.accept(tick(1, "A")); f.accept(tick(2, "B"))
        #expect(delivered(&f, pendingOutput: 1001) == []) // too far behind: conflating
        f.accept(tick(3, "A")); f.accept(tick(4, "A"))
        guard case .none = f.heartbeat(pendingOutput: 300) else { Issue.record("caught up before draining"); return }
        guard case .catchUp(let event, let ticks) = f.heartbeat(pendingOutput: 100) else { Issue.record("no catch-up"); return }
        #expect(event == .conflated(skipped: 4, from: 0, to: 4))
        #expect(ticks.map(\.id) == [2, 4]) // latest per symbol, in id order
        #expect(f.conflations == 4)
        guard case .keepAlive = f.heartbeat(pendingOutput: 0) else { Issue.record("not live again"); return }
    }

    func delivered(_ flow: inout StreamFlow, shared ticks: [EncodedTick], pendingOutput: Int = 0) -> [Int64] {
        var ids: [Int64] = []
        flow.deliver(ticks, pendingOutput: pendingOutput) { ids += $0.map(\.id) }
        return ids
    }

    @Test func aSharedListGoesOutAsGivenWhenLive() {
        var f = StreamFlow(since: 0, replaying: false, outputLimit: 1000)
        let list = [tick(3), tick(5)]
        var base: UnsafeRawPointer?
        f.deliver(list, pendingOutput: 0) { written in base = written.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(base == list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }, "the list itself, not a copy")
        #expect(f.lastID == 5)
        #expect(delivered(&f) == [], "nothing left pending")
    }

    @Test func aSharedListIsHeldDuringAReplayAndConflatedForASlowReader() {
        var replaying = StreamFlow(since: 10, replaying: true, outputLimit: 1000)
        #expect(delivered(&replaying, shared: [tick(14), tick(15)]) == [])
        #expect(replaying.finishReplay([tick(12)]).map(\.id) == [12, 14, 15])

        var slow = StreamFlow(since: 0, replaying: false, outputLimit: 1000)
        #expect(delivered(&slow, shared: [tick(1, "A"), tick(2, "A")], pendingOutput: 1001) == [])
        guard case .catchUp(let event, let ticks) = slow.heartbeat(pendingOutput: 0) else { Issue.record("no catch-up"); return }
        #expect(event == .conflated(skipped: 2, from: 0, to: 2))
        #expect(ticks.map(\.id) == [2])

        var closed = StreamFlow(since: 0, replaying: false, outputLimit: 1000)
        closed.close()
        #expect(delivered(&closed, shared: [tick(1)]) == [])
    }

    @Test func aClosedStreamTakesNothing() {
        var f = StreamFlow(since: 0, replaying: false, outputLimit: 1000)
        f.close()
        f.accept(tick(1))
        #expect(delivered(&f) == [])
        #expect(f.missed([tick(1)]).isEmpty)
        #expect(f.isClosed)
    }
}

@Suite struct AdmissionTests {
    @Test func totalAndPerAddressCaps() {
        var a = Admission(maxTotal: 3, maxPerAddress: 2)
        a.admit(peer: "1.1.1.1"); a.admit(peer: "1.1.1.1")
        #expect(a.refusal(peer: "1.1.1.1")?.contains("at most 2") == true)
        #expect(a.refusal(peer: "2.2.2.2") == nil)
        a.admit(peer: "2.2.2.2")
        #expect(a.refusal(peer: "3.3.3.3")?.contains("connection limit") == true)
        a.release(peer: "1.1.1.1")
        #expect(a.refusal(peer: "1.1.1.1") == nil && a.count(of: "1.1.1.1") == 1)
        a.releaseAll()
        #expect(a.total == 0 && a.count(of: "2.2.2.2") == 0)
    }

    @Test func noPerAddressLimitByDefault() {
        var a = Admission(maxTotal: 10, maxPerAddress: 0)
        for _ in 0..<9 { a.admit(peer: "proxy") }
        #expect(a.refusal(peer: "proxy") == nil)
    }
}

@Suite struct ProtocolEncodingTests {
    @Test func controlEventsHaveOneShape() {
        #expect(ControlEvent.hello(cursor: 5, heartbeatSeconds: 15, symbols: ["AAPL"], databaseUp: true).json == #"{"cursor":5,"heartbeat":15,"symbols":["AAPL"],"database":"up"}"#)
        #expect(ControlEvent.status(databaseUp: false).json == #"{"database":"down"}"#)
        #expect(ControlEvent.bye(retryMilliseconds: 2000, cursor: 9).json == #"{"retry":2000,"cursor":9}"#)
        #expect(ControlEvent.reset(reason: "unknown cursor", cursor: 3).json == #"{"reason":"unknown cursor","cursor":3}"#)
        #expect(ControlEvent.conflated(skipped: 4, from: 1, to: 9).json == #"{"skipped":4,"from":1,"to":9}"#)
        #expect(ControlEvent.snapshot(ticks: [tick(2)], cursor: 2).json.hasPrefix(#"{"ticks":[{"id":2,"#))
        #expect(ControlEvent.heartbeat(cursor: 4).id == 4)
    }

    @Test func pollBodiesAndJSONP() {
        #expect(PollBody(cursor: 7, ticks: []).render(callback: nil) == #"{"cursor":7,"ticks":[]}"#)
        #expect(PollBody(cursor: 7, ticks: [], reset: true).render(callback: "cb") == #"/**/cb({"cursor":7,"reset":true,"ticks":[]});"#)
        #expect(PollBody(cursor: 7, ticks: [tick(7)], snapshot: true).render(callback: nil).hasPrefix(#"{"cursor":7,"snapshot":true,"ticks":[{"id":7,"#))
        #expect(PollBody(cursor: 7, ticks: [], databaseDown: true, byeRetry: 2000).render(callback: nil) == #"{"cursor":7,"database":"down","bye":true,"retry":2000,"ticks":[]}"#)
    }
}
