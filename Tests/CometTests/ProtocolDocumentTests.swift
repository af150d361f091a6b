import Foundation
import Testing
@testable import Comet
import Quotes

/// docs/PROTOCOL.md is the contract for people who write their own clients:
/// its examples must have exactly the fields the server sends.
@Suite struct ProtocolDocumentTests {
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)) ?? ""
    }()

    /// Field names of a JSON object's text.
    static func keys(_ json: String) -> Set<String> {
        guard let o = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return Set(o.keys)
    }

    /// `event: NAME` / `data: JSON` pairs of the SSE example.
    static var sseExamples: [(name: String, json: String)] {
        let lines = document.components(separatedBy: "\n")
        return zip(lines, lines.dropFirst()).compactMap { a, b in
            guard a.hasPrefix("event: "), b.hasPrefix("data: ") else { return nil }
            return (String(a.dropFirst(7)), String(b.dropFirst(6)))
        }
    }

    static let sampleTick: EncodedTick = {
        var t = Tick(id: 1, symbol: "A", price: "1", size: 1, bid: "1", ask: "2", ts: "t")
        t.delayed = true // every field a tick may carry
        return EncodedTick(t)
    }()

    /// What the server sends for each event name, with any values.
    static let served: [String: ControlEvent] = [
        "hello": .hello(cursor: 1, heartbeatSeconds: 15, symbols: ["A"], databaseUp: true),
        "status": .status(databaseUp: true),
        "snapshot": .snapshot(ticks: [sampleTick], cursor: 1),
        "reset": .reset(reason: "r", cursor: 1),
        "conflated": .conflated(skipped: 1, from: 1, to: 2),
        "bye": .bye(retryMilliseconds: 1, cursor: 1),
        "heartbeat": .heartbeat(cursor: 1),
        "token-expired": .tokenExpired(cursor: 1),
    ]

    /// Other shapes of the same events (a subscriber with delayed symbols).
    static let alsoServed: [String: ControlEvent] = [
        "hello": .hello(cursor: StreamCursor(1, delayed: 1), heartbeatSeconds: 15, symbols: ["A"], databaseUp: true,
                        delay: .init(seconds: 1, symbols: ["A"])),
    ]

    @Test func documentIsThere() {
        #expect(Self.document.contains("# The CometTicker wire protocol"))
    }

    @Test func everyEventExampleHasTheServersFields() {
        let examples = Self.sseExamples
        #expect(examples.count >= 6)
        for (name, json) in examples {
            if name == "tick" {
                #expect(Self.keys(json).isSubset(of: Self.keys(Self.sampleTick.tick.json)), "tick example: \(json)")
                #expect(Self.keys(json).isSuperset(of: ["id", "symbol", "price", "ts"]))
                continue
            }
            guard let event = Self.served[name] else { Issue.record("the document names an event the server never sends: \(name)"); continue }
            let shapes = [event.json] + (Self.alsoServed[name].map { [$0.json] } ?? [])
            #expect(shapes.contains { Self.keys(json) == Self.keys($0) }, "\(name) example: \(json)")
        }
    }

    @Test func everyEventTheServerSendsIsDocumented() {
        for name in Self.served.keys {
            #expect(Self.document.contains("`\(name)`"), "\(name) is not described")
        }
    }

    @Test func tickAndPollExamplesMatchTheEncoders() throws {
        let blocks = Self.document.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        let full = Tick(id: 1, symbol: "A", price: "1", size: 1, bid: "1", ask: "2", ts: "t").json
        #expect(blocks.contains { Self.keys($0) == Self.keys(full) }, "no full tick example")
        let polls = blocks.filter { $0.hasPrefix("{\"cursor\"") && $0.contains("\"ticks\"") }
        let quotes = try #require(blocks.first { $0.contains("\"quotes\"") })
        #expect(Self.keys(quotes) == ["cursor", "quotes", "session", "day"])
        #expect(polls.count >= 2)
        for p in polls {
            let body = PollBody(cursor: 1, ticks: [], snapshot: p.contains("\"snapshot\""), reset: p.contains("\"reset\""))
            #expect(Self.keys(p) == Self.keys(body.render(callback: nil)), "poll example: \(p)")
        }
        let error = try #require(blocks.first { $0.hasPrefix("{\"error\"") })
        #expect(Self.keys(error) == Self.keys(JSON.error("x")))
    }

    /// Lines of the document's code blocks of `language` (one JSON message each).
    static func messages(_ language: String) -> [String] {
        document.components(separatedBy: "```\(language)\n").dropFirst()
            .flatMap { $0.components(separatedBy: "\n```")[0].components(separatedBy: "\n") }
    }

    @Test func everyWebSocketExampleIsWhatTheServerSends() throws {
        let examples = Self.messages("ws")
        #expect(examples.count >= 7)
        var named: Set<String> = []
        for line in examples {
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            let name = try #require(object["event"] as? String, "no event name: \(line)")
            let data = try #require(object["data"], "no data: \(line)")
            let dataJSON = String(decoding: try JSONSerialization.data(withJSONObject: data), as: UTF8.self)
            named.insert(name)
            let served: (json: String, id: StreamCursor?)
            if name == "tick" {
                #expect(Self.keys(dataJSON).isSubset(of: Self.keys(Self.sampleTick.tick.json)), "tick example: \(line)")
                served = (Self.sampleTick.tick.json, 1)
                // The shared per-tick frame carries exactly this message.
                let frame = Array(Self.sampleTick.frame(.websocket, chunked: false))
                #expect(Self.keys(String(decoding: frame.dropFirst(2), as: UTF8.self)) == Self.keys(line))
            } else {
                guard let event = Self.served[name] else { Issue.record("a WebSocket message the server never sends: \(name)"); continue }
                #expect(Self.keys(dataJSON) == Self.keys(event.json), "\(name) example: \(line)")
                served = (event.json, event.id)
            }
            let message = String(decoding: WebSocketMessage.event(name, json: served.json, id: served.id), as: UTF8.self)
            #expect(Self.keys(line) == Self.keys(message), "\(name) example's fields: \(line), the server sends \(message)")
        }
        #expect(named.isSuperset(of: Set(Self.served.keys).union(["tick"])), "undocumented: \(Set(Self.served.keys).subtracting(named))")
    }

    @Test func webSocketClientExamplesAreAccepted() {
        let examples = Self.messages("ws-client")
        #expect(examples.count == 2)
        for line in examples {
            guard case .success = SubscriptionChange.parse(line) else { Issue.record("refused: \(line)"); continue }
        }
    }

    @Test func foreverFrameExampleIsWhatTheTransportWrites() {
        var out: [UInt8] = []
        ForeverFrameTransport().append(.heartbeat(cursor: 131), to: &out)
        #expect(Self.document.contains(String(decoding: out, as: UTF8.self)))
    }
}
