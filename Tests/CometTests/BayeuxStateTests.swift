import Foundation
@testable import Comet
import Quotes
import Testing

private func tick(_ id: Int64, _ symbol: String = "A") -> EncodedTick {
    EncodedTick(Tick(id: id, symbol: symbol, price: "1", ts: "2026-11-24T12:00:00.000000Z"))
}

/// The plain values behind `/cometd`, without a socket: the session state
/// machine, the outbox, message decoding and channel rules.
@Suite struct BayeuxStateTests {
    func session(at t: Double = 100) -> BayeuxSession { BayeuxSession(now: t, holdSeconds: 25, maxIdleSeconds: 20) }

    @Test func firstConnectIsAnsweredAtOnceAndLaterOnesAreHeld() {
        var s = session()
        #expect(s.connect(now: 101, waiting: false) == .answerNow)
        #expect(s.state == .idle)
        #expect(s.connect(now: 102, waiting: false) == .hold(seconds: 25))
        #expect(s.state == .held)
        #expect(s.shouldAnswerHeld())
        s.heldAnswered(now: 103)
        #expect(s.state == .idle && !s.shouldAnswerHeld())
    }

    @Test func aConnectWithTicksWaitingIsAnsweredAtOnce() {
        var s = session()
        _ = s.connect(now: 101, waiting: false)
        #expect(s.connect(now: 102, waiting: true) == .answerNow)
        #expect(s.state == .idle)
    }

    @Test func aSecondConcurrentConnectAnswersTheFirst() {
        var s = session()
        _ = s.connect(now: 101, waiting: false)
        _ = s.connect(now: 102, waiting: false)
        #expect(s.connect(now: 103, waiting: false) == .answerHeldAndHold(seconds: 25))
        #expect(s.state == .held)
    }

    @Test func aClientMayAskForAShorterHoldOrNone() {
        var s = session()
        _ = s.connect(now: 101, waiting: false)
        #expect(s.connect(now: 102, waiting: false, asked: 5) == .hold(seconds: 5))
        #expect(s.connect(now: 103, waiting: false, asked: 0) == .answerHeldAndAnswer)
        #expect(s.state == .idle)
        #expect(s.connect(now: 104, waiting: false, asked: 0) == .answerNow)
        #expect(s.connect(now: 105, waiting: false, asked: 600) == .hold(seconds: 25), "never longer than ours")
    }

    @Test func clientsThatStopConnectingAreForgottenButHeldOnesNever() {
        var s = session(at: 100)
        #expect(!s.isExpired(now: 119))
        #expect(s.isExpired(now: 121), "handshaken, never connected")
        _ = s.connect(now: 121, waiting: false)
        _ = s.connect(now: 122, waiting: false)
        #expect(!s.isExpired(now: 1000), "a held connect is proof of life")
        s.heldAnswered(now: 1000)
        #expect(!s.isExpired(now: 1019))
        #expect(s.isExpired(now: 1021))
        s.heard(now: 1021)
        #expect(!s.isExpired(now: 1030), "any message keeps it alive")
    }

    @Test func disconnectAnswersTheHeldConnectAndRefusesLaterOnes() {
        var s = session()
        _ = s.connect(now: 101, waiting: false)
        _ = s.connect(now: 102, waiting: false)
        let wasHeld = s.disconnect()
        #expect(wasHeld)
        #expect(s.isExpired(now: 102))
        #expect(s.connect(now: 103, waiting: false) == .refuse)
    }

    @Test func theOutboxQueuesEachTickOnceAndHoldsLiveTicksDuringAResume() {
        var o = BayeuxOutbox(limit: 10)
        o.accept(tick(5))
        o.accept(tick(5)) // the same tick by a second channel
        #expect(o.take().map(\.id) == [5])
        o.startResume()
        o.accept(tick(9, "B"))
        #expect(o.isEmpty, "live ticks wait for the resume")
        o.finishResume([tick(2, "B"), tick(7, "B")])
        #expect(o.take().map(\.id) == [2, 7, 9])
    }

    @Test func overlappingResumesReleaseTogetherInIdOrder() {
        var o = BayeuxOutbox(limit: 100)
        o.startResume()
        o.startResume()
        o.accept(tick(20))
        o.finishResume([tick(3, "B")])
        #expect(o.isEmpty)
        o.addMissed([tick(1, "C")])
        o.finishResume([tick(2, "D")])
        #expect(o.take().map(\.id) == [1, 2, 3, 20])
    }

    @Test func acknowledgedTicksAreForgottenAndLostOnesSentAgain() {
        var o = BayeuxOutbox(limit: 10)
        o.accept(tick(1))
        #expect(o.take().map(\.id) == [1])
        #expect(o.unacked.isEmpty, "a client that never acknowledged keeps nothing")
        _ = o.acknowledge(upTo: 1, resend: true)
        o.accept(tick(2))
        o.accept(tick(3))
        #expect(o.take().map(\.id) == [2, 3])
        o.accept(tick(4))
        // Its answer with 2 and 3 was lost: it acknowledges 1 on a new connection.
        let resent = o.acknowledge(upTo: 1, resend: true)
        #expect(resent)
        #expect(o.take().map(\.id) == [2, 3, 4])
        // On the same WebSocket, 4 may still be in flight: nothing is resent.
        _ = o.acknowledge(upTo: 3, resend: false)
        #expect(o.isEmpty && o.unacked.map(\.id) == [4])
        _ = o.acknowledge(upTo: 4, resend: true)
        #expect(o.isEmpty && o.unacked.isEmpty)
    }

    @Test func unacknowledgedTicksAreBoundedAndALostDroppedOneMeansResume() {
        var o = BayeuxOutbox(limit: 3)
        _ = o.acknowledge(upTo: 0, resend: false)
        for i in 1...3 { o.accept(tick(Int64(i))) }
        _ = o.take()
        for i in 4...5 { o.accept(tick(Int64(i))) }
        _ = o.take()
        #expect(!o.overflowed, "sent ticks do not count as owed")
        #expect(o.unacked.map(\.id) == [3, 4, 5])
        var kept = o
        let keptAll = kept.acknowledge(upTo: 2, resend: true)
        #expect(keptAll, "everything after 2 is still kept")
        let lost = !o.acknowledge(upTo: 1, resend: true)
        #expect(lost, "2 was dropped: resume by handshake")
    }

    @Test func anOutboxPastItsLimitOverflows() {
        var o = BayeuxOutbox(limit: 3)
        for i in 1...3 { o.accept(tick(Int64(i))) }
        #expect(!o.overflowed)
        o.accept(tick(4))
        #expect(o.overflowed)
    }

    @Test func messagesAreDecodedStrictly() throws {
        let batch = try BayeuxMessage.batch(Array(#"[{"channel":"/meta/subscribe","clientId":"c1","subscription":["/quotes/A","/quotes/*"],"id":"7","ext":{"ticker":{"since":12}}},{"channel":"/meta/connect","clientId":5,"id":8}]"#.utf8), maxMessages: 10).get()
        let first = try batch[0].get()
        #expect(first.subscriptions == ["/quotes/A", "/quotes/*"] && first.id == "\"7\"" && first.clientId == "c1")
        #expect(try BayeuxEngine.since(first).get() == 12)
        #expect(batch[1] == .failure(.init(channel: "/meta/connect", id: "8", error: BayeuxError(400, "", "'clientId' must be a string"))))
        let single = try BayeuxMessage.batch(Array(#"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}"#.utf8), maxMessages: 1).get()
        #expect(try single[0].get().supportedConnectionTypes == ["long-polling"])
    }

    @Test func badBatchesAreRefusedWhole() {
        func error(_ text: String, max: Int = 5) -> String? {
            if case .failure(let e) = BayeuxMessage.batch(Array(text.utf8), maxMessages: max) { return e.message }
            return nil
        }
        #expect(error("not json")?.contains("not JSON") == true)
        #expect(error("[]")?.contains("empty") == true)
        #expect(error("42")?.contains("array") == true)
        #expect(error("[{},{},{}]", max: 2)?.contains("too many messages") == true)
        if case .success(let b) = BayeuxMessage.batch(Array(#"[1,{"channel":7},{"channel":"/x","subscription":{}}]"#.utf8), maxMessages: 5) {
            #expect(b.allSatisfy { if case .failure = $0 { true } else { false } })
        } else {
            Issue.record("per-message errors must not refuse the batch")
        }
    }

    @Test func deeplyNestedJSONIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 16_000) + String(repeating: "]", count: 16_000)
        #expect(throws: BayeuxMessage.BatchError.self) { try BayeuxMessage.batch(Array(deep.utf8), maxMessages: 100).get() }
        let wide = "[" + Array(repeating: #"{"channel":"/meta/connect","ext":{"a":[[[[1]]]]}}"#, count: 100).joined(separator: ",") + "]"
        #expect(throws: Never.self) { try BayeuxMessage.batch(Array(wide.utf8), maxMessages: 100).get() }
    }

    @Test func channelRules() throws {
        #expect(try BayeuxChannel.subscription("/quotes/AAPL").get() == .symbol("AAPL"))
        #expect(try BayeuxChannel.subscription("/quotes/*").get() == .oneLevel)
        #expect(try BayeuxChannel.subscription("/quotes/**").get() == .everything)
        #expect(BayeuxChannel.oneLevel.matches("AAPL") && !BayeuxChannel.oneLevel.matches("EUR/USD"))
        #expect(BayeuxChannel.everything.matches("EUR/USD"))
        #expect(try BayeuxChannel.subscription("/quotes/EUR/USD").get() == .symbol("EUR/USD"))
        for bad in ["/quotes/aapl", "/meta/connect", "/service/x", "/chat", "/quotes/", "/quotes/TOOLONGSYMBOLNAME12345"] {
            #expect(throws: BayeuxError.self) { try BayeuxChannel.subscription(bad).get() }
        }
        #expect(throws: BayeuxError.self) { try BayeuxChannel.publishTarget("/quotes/*").get() }
    }

    @Test func deliveriesCarryTheTicksOwnChannelAndIdButNoMessageId() {
        let text = BayeuxReply.delivery(tick(42, "AAPL"))
        #expect(text.hasPrefix(#"{"channel":"/quotes/AAPL","data":{"id":42,"symbol":"AAPL""#))
        #expect(text.hasSuffix(#""ext":{"ticker":{"id":42}}}"#))
        #expect(text.components(separatedBy: #""id":"#).count == 3, "only data.id and ext.ticker.id: \(text)")
    }

    /// docs/BAYEUX.md shows a delivery exactly as the server renders one.
    @Test func theDocumentedDeliveryIsTheServersOwn() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/BAYEUX.md"), encoding: .utf8)
        let example = try #require(doc.split(separator: "\n").first { $0.hasPrefix(#"{"channel":"/quotes/AAPL","data":"#) })
        let t = EncodedTick(Tick(id: 124, symbol: "AAPL", price: "189.23", size: 100, ts: "2026-11-24T12:00:00.123456Z"))
        #expect(String(example) == BayeuxReply.delivery(t))
    }

    @Test func publishedDataIsCheckedLikeTheFeed() throws {
        #expect(try BayeuxPublisher.row(symbol: "A", data: .object(["price": .string("1.5"), "size": .integer(3)])).get().price == Array("1.5".utf8)[...])
        for bad: BayeuxJSON in [.string("1"), .object(["price": .string("-1")]), .object(["price": .string("1"), "colour": .string("red")]),
                                .object(["price": .string("1"), "symbol": .string("B")]), .object(["price": .string("1"), "id": .integer(1)]),
                                .object(["size": .integer(1)])] {
            #expect(throws: BayeuxError.self) { try BayeuxPublisher.row(symbol: "A", data: bad).get() }
        }
        #expect(BayeuxPublisher.same("secret-token-123", "secret-token-123") && !BayeuxPublisher.same("secret-token-123", "secret-token-124"))
    }

    @Test func clientIdsAreLongAndRandom() {
        let ids = Set((0..<1000).map { _ in BayeuxRegistry.newID() })
        #expect(ids.count == 1000)
        #expect(ids.allSatisfy { $0.count == 48 && $0.allSatisfy(\.isHexDigit) })
    }
}
