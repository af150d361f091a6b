import Testing
@testable import Comet
@testable import Quotes

/// The hub's registry as a WebSocket changes its symbols on the open socket,
/// and how it hands a wake-up's ticks to subscribers of one or several symbols.
@Suite struct TickHubSubscriptionTests {
    final class Recorder: TickSubscriber {
        var got: [Int64] = []
        var deliveries = 0
        override func accept(_ tick: EncodedTick) { got.append(tick.id) }
        override func deliver() { deliveries += 1 }
    }

    /// Records the shared lists a one-symbol subscriber is handed.
    final class ListRecorder: TickSubscriber {
        var lists: [[EncodedTick]] = []
        override func deliver(_ ticks: [EncodedTick]) { lists.append(ticks) }
    }

    func tick(_ id: Int64, _ symbol: String) -> Tick {
        Tick(id: id, symbol: symbol, price: "1", size: 1, bid: nil, ask: nil, ts: "t")
    }

    @Test func subscribeAndUnsubscribeChangeWhatIsRouted() {
        let hub = TickHub(cursor: 0, latest: [], logCapacity: 16)
        let r = Recorder(symbols: ["A"])
        hub.add(r)
        hub.publish([tick(1, "A"), tick(2, "B")])
        #expect(r.got == [1])
        #expect(hub.subscribe(r, to: ["B", "A", "C"]) == ["B", "C"], "only new symbols are added")
        #expect(r.symbols == ["A", "B", "C"])
        hub.publish([tick(3, "B"), tick(4, "A"), tick(5, "D")])
        #expect(r.got == [1, 3, 4])
        hub.unsubscribe(r, from: ["A", "C"])
        #expect(r.symbols == ["B"])
        hub.publish([tick(6, "A"), tick(7, "B")])
        #expect(r.got == [1, 3, 4, 7])
        #expect(r.deliveries == 3, "one delivery per wake-up")
    }

    @Test func aSubscriberWithNoSymbolLeftIsStillCountedUntilRemoved() {
        let hub = TickHub(cursor: 0, latest: [], logCapacity: 16)
        let r = Recorder(symbols: ["A"])
        hub.add(r)
        hub.unsubscribe(r, from: ["A"])
        #expect(hub.subscriberCount == 1)
        hub.publish([tick(1, "A")])
        #expect(r.got.isEmpty)
        hub.remove(r)
        #expect(hub.subscriberCount == 0)
        hub.remove(r)
        #expect(hub.subscriberCount == 0, "removing twice counts once")
    }

    @Test func oneSymbolSubscribersShareOneListPerSymbolPerWakeUp() {
        let hub = TickHub(cursor: 0, latest: [], logCapacity: 16)
        let a1 = ListRecorder(symbols: ["A"]), a2 = ListRecorder(symbols: ["A"]), b = ListRecorder(symbols: ["B"])
        let both = Recorder(symbols: ["A", "B"])
        for s in [a1, a2, b, both] { hub.add(s) }
        hub.publish([tick(1, "A"), tick(2, "B"), tick(3, "A"), tick(4, "C")])
        #expect(a1.lists.map { $0.map(\.id) } == [[1, 3]])
        #expect(b.lists.map { $0.map(\.id) } == [[2]])
        let base = { (l: [EncodedTick]) in l.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(base(a1.lists[0]) == base(a2.lists[0]), "one list for every subscriber of A")
        #expect(both.got == [1, 2, 3], "several symbols: merged in id order")
        #expect(both.deliveries == 1)
        #expect(hub.deliveries == 2 + 2 + 1 + 3)
    }

    @Test func movingBetweenOneAndSeveralSymbolsNeitherLosesNorRepeats() {
        let hub = TickHub(cursor: 0, latest: [], logCapacity: 16)
        let r = Recorder(symbols: ["A"])
        hub.add(r)
        hub.publish([tick(1, "A"), tick(2, "B")])
        hub.subscribe(r, to: ["B"])
        hub.publish([tick(3, "A"), tick(4, "B")])
        hub.unsubscribe(r, from: ["A"])
        hub.publish([tick(5, "A"), tick(6, "B")])
        hub.followAll(r)
        hub.publish([tick(7, "B"), tick(8, "C"), tick(9, "B")])
        hub.unfollowAll(r)
        hub.publish([tick(10, "C"), tick(11, "B")])
        #expect(r.got == [1, 3, 4, 6, 7, 8, 9, 11])
        hub.remove(r)
        hub.publish([tick(12, "B")])
        #expect(r.got.last == 11, "removed: nothing more")
    }
}
