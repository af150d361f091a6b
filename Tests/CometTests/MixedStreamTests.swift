import Testing
@testable import Comet
import Quotes

/// A subscriber mixing live and delayed symbols, on two hubs and a recording
/// output (no socket): pair ids, heartbeats, a leg's replay.
@Suite struct MixedStreamTests {
    final class Recording: MixedOutput {
        var events: [ControlEvent] = []
        var ticks: [(id: Int64, pair: String)] = []
        var beats: [String] = []
        var ended: ControlEvent?
        var pendingOutput = 0
        func send(_ event: ControlEvent) { events.append(event) }
        func write(_ ticks: [EncodedTick], ids: [StreamCursor]) { self.ticks += zip(ticks, ids).map { ($0.id, $1.description) } }
        func keepAlive(_ cursor: StreamCursor) { beats.append(cursor.description) }
        func end(with event: ControlEvent) { ended = event }
    }

    static func tick(_ id: Int64, _ symbol: String) -> Tick { Tick(id: id, symbol: symbol, price: "1", ts: "2026-11-26T00:00:00.000000Z") }

    func make(replayingDelayed: Bool = false) -> (MixedStream, Recording, TickHub, TickHub) {
        let live = TickHub(cursor: 10, latest: [], logCapacity: 16)
        let delayed = TickHub(cursor: 4, latest: [], logCapacity: 16)
        let out = Recording()
        let m = MixedStream(output: out, live: .init(symbols: ["AAPL"], hub: live, since: 10, replaying: false),
                            delayed: .init(symbols: ["MSFT"], hub: delayed, since: 4, replaying: replayingDelayed), outputLimit: 1 << 20)
        m.attach()
        return (m, out, live, delayed)
    }

    @Test func eachTickCarriesItsOwnIdAndTheOtherLegsPosition() {
        let (m, out, live, delayed) = make()
        live.publish([Self.tick(11, "AAPL"), Self.tick(12, "MSFT"), Self.tick(13, "AAPL")])
        delayed.publish([Self.tick(5, "MSFT").delayedCopy, Self.tick(6, "AAPL").delayedCopy])
        live.publish([Self.tick(14, "AAPL")])
        #expect(out.ticks.map(\.id) == [11, 13, 5, 14])
        #expect(out.ticks.map(\.pair) == ["11:4", "13:4", "13:5", "14:6"], "the other leg: its position (hub cursor while live)")
        m.heartbeat()
        #expect(out.beats == ["14:6"], "live legs: both hubs' cursors")
        #expect(m.position == StreamCursor(14, delayed: 6))
        m.close(with: .tokenExpired(cursor: m.position))
        live.publish([Self.tick(15, "AAPL")])
        #expect(out.ticks.count == 4 && out.ended == .tokenExpired(cursor: StreamCursor(14, delayed: 6)))
    }

    @Test func aReplayingLegHoldsItsTicksAndTheHeartbeat() {
        let (m, out, live, delayed) = make(replayingDelayed: true)
        delayed.publish([Self.tick(7, "MSFT").delayedCopy])
        live.publish([Self.tick(11, "AAPL")])
        m.heartbeat()
        #expect(out.beats.isEmpty, "no heartbeat while a leg replays")
        #expect(m.position == StreamCursor(11, delayed: 4))
        m.delayed.finishReplay([EncodedTick(Self.tick(5, "MSFT").delayedCopy)])
        #expect(out.ticks.map(\.pair) == ["11:4", "11:5", "11:7"])
        m.heartbeat()
        #expect(out.beats == ["11:7"])
    }

    @Test func idsNeverGoBackBehindAHeartbeat() {
        let (m, out, live, delayed) = make()
        delayed.publish([Self.tick(5, "MSFT").delayedCopy])
        delayed.publish([Self.tick(6, "AAPL").delayedCopy, Self.tick(7, "AAPL").delayedCopy]) // not this stream's symbol
        m.heartbeat()
        #expect(out.beats == ["10:7"])
        live.publish([Self.tick(11, "AAPL")])
        #expect(out.ticks.map(\.pair) == ["10:5", "11:7"], "not 11:5: the heartbeat said 7")
        // The live leg falls behind (conflates): its part stays where an id put it.
        out.pendingOutput = 2 << 20
        live.publish([Self.tick(12, "AAPL")])
        out.pendingOutput = 0
        delayed.publish([Self.tick(8, "MSFT").delayedCopy])
        #expect(out.ticks.last?.pair == "11:8")
        #expect(m.position == StreamCursor(11, delayed: 8))
    }

    @Test func shutdownSaysTheClientsPositionNotTheServers() {
        let (m, out, live, delayed) = make(replayingDelayed: true)
        delayed.publish([Self.tick(7, "MSFT").delayedCopy])
        live.publish([Self.tick(11, "AAPL")])
        m.closeForShutdown(retryMilliseconds: 500)
        #expect(out.ended == .bye(retryMilliseconds: 500, cursor: StreamCursor(11, delayed: 4)), "the delayed leg is still replaying from 4")
    }

    @Test func aLegsResetCarriesThePair() {
        let (m, out, _, _) = make(replayingDelayed: true)
        m.delayed.abandonReplay(reason: "more than 10000 ticks missed", snapshot: [], cursor: 9)
        #expect(out.events.first == .reset(reason: "more than 10000 ticks missed", cursor: StreamCursor(10, delayed: 9)))
    }
}

extension Tick {
    var delayedCopy: Tick { DelayedFeed.marked(self) }
}
