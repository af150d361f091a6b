import Testing
@testable import Comet
@testable import Quotes

/// The hub's registry as a WebSocket changes its symbols on the open socket.
@Suite struct TickHubSubscriptionTests {
    final class Recorder: TickSubscriber {
        var got: [Int64] = []
        var deliveries = 0
        override func accept(_ tick: EncodedTick) { got.append(tick.id) }
        override func deliver() { deliveries += 1 }
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
}
