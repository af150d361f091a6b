import Foundation
import Postgres
import Testing
import TickerTestSupport

/// A whole answer from /cometd.
struct BayeuxResponse {
    let status: Int
    let headers: [String: String]
    let body: String
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// POSTs `body` to /cometd and reads the whole answer.
func bayeuxPost(_ port: Int, _ body: String, headers: [String: String] = [:], timeout: Double = 10, source: String? = nil) throws -> BayeuxResponse {
    let c = try bayeuxSend(port, body, headers: headers, source: source)
    _ = c.readUntil(timeout: timeout) { _ in false }
    return BayeuxResponse(status: c.status, headers: c.headers, body: c.text)
}

/// POSTs `body` to /cometd and returns at once (for connects that are held).
func bayeuxSend(_ port: Int, _ body: String, headers: [String: String] = [:], source: String? = nil) throws -> HTTPTestClient {
    var head = "POST /cometd HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nConnection: close\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    head += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    return try HTTPTestClient(port: port, path: "/cometd", rawRequest: head, source: source)
}

/// A handshake; returns the clientId.
func bayeuxHandshake(_ port: Int, headers: [String: String] = [:], source: String? = nil) throws -> String {
    let r = try bayeuxPost(port, #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"id":"1"}]"#,
                           headers: headers, source: source)
    guard let range = r.body.range(of: #""clientId":""#) else { throw TestError("no clientId: \(r.status) \(r.body)") }
    return String(r.body[range.upperBound...].prefix { $0 != "\"" })
}

/// Malformed and hostile Bayeux: Bayeux error replies or a 4xx, never a
/// crash, and the server keeps serving; the limits; callback-polling's JSONP
/// hardening; several clients of one browser; publishing.
@Suite struct BayeuxHardeningTests {
    func connect(_ id: String, _ n: Int) -> String {
        #"[{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling","id":"\#(n)"}]"#
    }

    @Test func malformedMessagesGetBayeuxErrorsOr4xx() throws {
        let s = try TestServer(target: TestCluster.database())
        let p = s.port
        let notJSON = try bayeuxPost(p, "this is not json")
        #expect(notJSON.status == 400 && notJSON.body.contains("not JSON"), "\(notJSON.body)")
        #expect(try bayeuxPost(p, "[]").status == 400)
        #expect(try bayeuxPost(p, "\"handshake\"").status == 400)
        let types = try bayeuxPost(p, #"[{"channel":"/meta/handshake","version":1},{"channel":5},7,{"channel":"/meta/subscribe","clientId":["x"],"id":{"a":1}}]"#)
        #expect(types.status == 200)
        #expect(types.body.contains(#""error":"400::'version' must be a string""#), "\(types.body)")
        #expect(types.body.contains("'channel' is missing or not a string") && types.body.contains("a message must be a JSON object"))
        #expect(types.body.contains("'id' must be a string"))
        let meta = try bayeuxPost(p, #"[{"channel":"/meta/frobnicate","id":"9"}]"#)
        #expect(meta.body.contains(#""error":"400:/meta/frobnicate:unknown meta channel""#) && meta.body.contains(#""id":"9""#), "\(meta.body)")
        let noClient = try bayeuxPost(p, #"[{"channel":"/meta/connect","connectionType":"long-polling","id":"2"}]"#)
        #expect(noClient.body.contains("402::missing clientId") && noClient.body.contains(#""reconnect":"handshake""#), "\(noClient.body)")
        let unknown = try bayeuxPost(p, connect("0123456789abcdef", 3))
        #expect(unknown.body.contains("402:0123456789abcdef:unknown client") && unknown.body.contains(#""reconnect":"handshake""#), "\(unknown.body)")
        let oldVersion = try bayeuxPost(p, #"{"channel":"/meta/handshake","supportedConnectionTypes":["long-polling"]}"#)
        #expect(oldVersion.body.contains("version must be 1.0"))
        let noTransport = try bayeuxPost(p, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["smoke-signals"]}"#)
        #expect(noTransport.body.contains("no common connection type") && noTransport.body.contains(#""supportedConnectionTypes":["long-polling""#))

        // 10,000 subscriptions in one message: larger than the body limit (413);
        // 200 fit in the body but not in the per-client limit.
        let id = try bayeuxHandshake(p)
        let many = (0..<10_000).map { "\"/quotes/S\($0)\"" }.joined(separator: ",")
        let huge = try bayeuxPost(p, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":[\#(many)]}]"#)
        #expect(huge.status == 413)
        let some = (0..<200).map { "\"/quotes/S\($0)\"" }.joined(separator: ",")
        let tooMany = try bayeuxPost(p, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":[\#(some)]}]"#)
        #expect(tooMany.body.contains("403::too many subscriptions"), "\(tooMany.body)")
        let bad = try bayeuxPost(p, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":["/quotes/aapl"],"id":"4"},{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"/chat/room"}]"#)
        #expect(bad.body.contains("400:/quotes/aapl:symbols are upper case; subscribe to /quotes/AAPL") && bad.body.contains("404:/chat/room:no such channel"), "\(bad.body)")
        let publish = try bayeuxPost(p, #"[{"channel":"/quotes/A","clientId":"\#(id)","data":{"price":"1"},"id":"5"}]"#)
        #expect(publish.body.contains("403::publish refused"), "\(publish.body)")
        let manyMessages = "[" + Array(repeating: connect(id, 1).dropFirst().dropLast(), count: 101).joined(separator: ",") + "]"
        #expect(try bayeuxPost(p, manyMessages).status == 400)
        // Still serving.
        #expect(try HTTPTestClient.get(port: p, "/health").status == 200)
        #expect(try bayeuxHandshake(p).count == 48)
    }

    @Test func oneConnectAtATimeFirstAtOnceLaterHeld() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.bayeux.connectTimeoutSeconds = 20 }
        let id = try bayeuxHandshake(s.port)
        let first = try bayeuxPost(s.port, connect(id, 2), timeout: 3)
        #expect(first.status == 200 && first.body.contains(#""successful":true"#) && first.body.contains(#""timeout":20000"#), "\(first.body)")
        let held = try bayeuxSend(s.port, connect(id, 3))
        #expect(!held.readUntil(timeout: 0.5) { $0.contains("/meta/connect") }, "the second connect is held")
        // A second concurrent connect answers the held one at once, and is held itself.
        let again = try bayeuxSend(s.port, connect(id, 4))
        #expect(held.readUntil(timeout: 3) { $0.contains(#""id":"3""#) }, "\(held.text)")
        #expect(!again.readUntil(timeout: 0.5) { $0.contains("/meta/connect") })
        // A tick answers it.
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")
        _ = try bayeuxPost(s.port, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"/quotes/A","id":"5"}]"#)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 2)")
        #expect(again.readUntil(timeout: 5) { $0.contains(#""id":"4""#) }, "\(again.text)")
        #expect(again.text.contains(#"{"channel":"/quotes/A","data":{"id":1,"symbol":"A""#), "snapshot first: \(again.text)")
    }

    /// `ext.ticker.since` on `/meta/connect` acknowledges: an answer lost with
    /// its connection is sent again with the next connect, and only then.
    @Test func aLostConnectAnswerIsSentAgainToAClientThatAcknowledges() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.bayeux.connectTimeoutSeconds = 20 }
        func ackConnect(_ id: String, _ n: Int, since: Int64) -> String {
            #"[{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling","id":"\#(n)","ext":{"ticker":{"since":\#(since)}}}]"#
        }
        let id = try bayeuxHandshake(s.port)
        _ = try bayeuxPost(s.port, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"/quotes/A"}]"#)
        _ = try bayeuxPost(s.port, ackConnect(id, 1, since: 0))
        let lost = try bayeuxSend(s.port, ackConnect(id, 2, since: 0))
        Thread.sleep(forTimeInterval: 0.3)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")
        #expect(lost.readUntil(timeout: 5) { $0.contains(#""id":"2""#) } && lost.text.contains(#""ticker":{"id":1}"#))
        // The client never saw that answer: it still acknowledges 0.
        let again = try bayeuxPost(s.port, ackConnect(id, 3, since: 0), timeout: 3)
        #expect(again.body.contains(#""ticker":{"id":1}"#), "sent again: \(again.body)")
        // Once 1 is acknowledged it is not sent a third time.
        let next = try bayeuxSend(s.port, ackConnect(id, 4, since: 1))
        Thread.sleep(forTimeInterval: 0.3)
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 2)")
        #expect(next.readUntil(timeout: 5) { $0.contains(#""id":"4""#) })
        #expect(next.text.contains(#""ticker":{"id":2}"#) && !next.text.contains(#""ticker":{"id":1}"#), "\(next.text)")
    }

    @Test func limitsOnClientsPerAddressAndSubscriptionsPerClient() throws {
        let s = try TestServer(target: TestCluster.database()) {
            $0.bayeux.maxClientsPerAddress = 2
            $0.bayeux.maxSubscriptionsPerClient = 3
        }
        let id = try bayeuxHandshake(s.port)
        _ = try bayeuxHandshake(s.port)
        #expect(throws: TestError.self) { _ = try bayeuxHandshake(s.port) }
        let third = try bayeuxPost(s.port, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}"#)
        #expect(third.body.contains("403::too many clients from your address"), "\(third.body)")
        let ok = try bayeuxPost(s.port, #"{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":["/quotes/A","/quotes/B","/quotes/*"]}"#)
        #expect(ok.body.contains(#""successful":true"#) && ok.body.contains(#""subscription":["/quotes/A","/quotes/B","/quotes/*"]"#), "\(ok.body)")
        let over = try bayeuxPost(s.port, #"{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"/quotes/C"}"#)
        #expect(over.body.contains("403::too many subscriptions; at most 3 channels per client"), "\(over.body)")
        // Leaving frees a place.
        _ = try bayeuxPost(s.port, #"{"channel":"/meta/disconnect","clientId":"\#(id)"}"#)
        #expect(try bayeuxHandshake(s.port).count == 48)
    }

    @Test func callbackPollingIsHardenedJSONP() throws {
        let s = try TestServer(target: TestCluster.database())
        let message = #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["callback-polling"],"id":"1"}]"#
        let q = message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try HTTPTestClient.get(port: s.port, "/cometd?message=\(q)&jsonp=Ticker.cb_1")
        #expect(r.status == 200 && r.body.hasPrefix(#"/**/Ticker.cb_1([{"channel":"/meta/handshake","successful":true"#), "\(r.body)")
        #expect(r.header("Content-Type") == "application/javascript; charset=utf-8" && r.header("X-Content-Type-Options") == "nosniff")
        // CometD's JavaScript client appends the message type to the URL.
        #expect(try HTTPTestClient.get(port: s.port, "/cometd/handshake?message=\(q)&jsonp=cb").body.hasPrefix("/**/cb([{"))
        #expect(try HTTPTestClient.get(port: s.port, "/cometd?message=\(q)&jsonp=alert(1)").status == 400)
        #expect(try HTTPTestClient.get(port: s.port, "/cometd?jsonp=cb").status == 400)
        #expect(try HTTPTestClient.get(port: s.port, "/cometd?message=%5B%5D&jsonp=cb&evil=1").status == 400)
    }

    @Test func severalTabsOfOneBrowserPollInsteadOfHolding() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.bayeux.connectTimeoutSeconds = 20 }
        let first = try bayeuxPost(s.port, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}"#)
        let cookie = try #require(first.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        #expect(cookie.hasPrefix("BAYEUX_BROWSER="))
        let tab1 = try bayeuxHandshake(s.port, headers: ["Cookie": cookie])
        let tab2 = try bayeuxHandshake(s.port, headers: ["Cookie": cookie])
        for id in [tab1, tab2] { _ = try bayeuxPost(s.port, connect(id, 1), headers: ["Cookie": cookie]) }
        let held = try bayeuxSend(s.port, connect(tab1, 2), headers: ["Cookie": cookie])
        #expect(!held.readUntil(timeout: 0.5) { $0.contains("/meta/connect") })
        let second = try bayeuxPost(s.port, connect(tab2, 2), headers: ["Cookie": cookie], timeout: 3)
        #expect(second.body.contains(#""multiple-clients":true"#) && second.body.contains(#""interval":2000"#), "\(second.body)")
        // Another browser holds as usual.
        let other = try bayeuxHandshake(s.port)
        _ = try bayeuxPost(s.port, connect(other, 1))
        let otherHeld = try bayeuxSend(s.port, connect(other, 2))
        #expect(!otherHeld.readUntil(timeout: 0.5) { $0.contains("/meta/connect") })
    }

    @Test func publishingWithTheTokenInsertsThroughTheFeedChecks() throws {
        let target = try TestCluster.database()
        let s = try TestServer(target: target) {
            $0.bayeux.publishToken = "correct-horse-battery"
            $0.bayeux.publishDatabaseURL = target.feedURL
            $0.bayeux.connectTimeoutSeconds = 5
        }
        let id = try bayeuxHandshake(s.port)
        _ = try bayeuxPost(s.port, #"[{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"/quotes/PUB"},"# + connect(id, 1).dropFirst())
        let held = try bayeuxSend(s.port, connect(id, 2))
        let wrong = try bayeuxPost(s.port, #"{"channel":"/quotes/PUB","clientId":"\#(id)","data":{"price":"1.5"},"ext":{"ticker":{"publishToken":"guess"}}}"#)
        #expect(wrong.body.contains("403::publish refused: missing or wrong ext.ticker.publishToken"), "\(wrong.body)")
        let invalid = try bayeuxPost(s.port, #"{"channel":"/quotes/PUB","clientId":"\#(id)","data":{"price":"-3"},"ext":{"ticker":{"publishToken":"correct-horse-battery"}}}"#)
        #expect(invalid.body.contains("400::price '-3'"), "\(invalid.body)")
        let ok = try bayeuxPost(s.port, #"{"channel":"/quotes/PUB","clientId":"\#(id)","data":{"price":"12.345","size":7},"ext":{"ticker":{"publishToken":"correct-horse-battery"}},"id":"p1"}"#)
        #expect(ok.body.contains(#""successful":true"#) && ok.body.contains(#""id":"p1""#), "\(ok.body)")
        #expect(held.readUntil(timeout: 5) { $0.contains(#""price":"12.345""#) }, "the published tick comes back by the normal path: \(held.text)")
        let row = try PGConnection(target.adminURL).exec("SELECT id, price::text, size FROM ticks WHERE symbol = 'PUB'")
        #expect(row.rowCount == 1 && row.string(0, 1) == "12.345" && row.int64(0, 2) == 7)
        #expect(held.text.contains(#""ext":{"ticker":{"id":\#(row.int64(0, 0) ?? -1)}}"#))
    }

    @Test func hostileWebSocketMessagesAreClosedAndTheServerGoesOn() throws {
        let s = try TestServer(target: TestCluster.database())
        func open() throws -> RawClient {
            let c = RawClient(port: s.port)
            c.write(RawClient.upgradeRequest([:], path: "/cometd"))
            let head = c.readHead()
            guard head.hasPrefix("HTTP/1.1 101 ") else { throw TestError("no 101: \(head)") }
            return c
        }
        func closeCode(_ c: RawClient, _ text: String) -> UInt16? {
            c.write(Frames.client(text: text))
            return Frames.server(c.readToEnd())?.last { $0.opcode == Frames.close }?.closeCode
        }
        #expect(closeCode(try open(), "not json") == 1008)
        let many = (0..<10_000).map { "\"/quotes/S\($0)\"" }.joined(separator: ",")
        #expect(closeCode(try open(), #"[{"channel":"/meta/subscribe","clientId":"x","subscription":[\#(many)]}]"#) == 1009)
        // A well-formed handshake on a WebSocket is answered on it, as one JSON array.
        let c = try open()
        c.write(Frames.client(text: #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["websocket"],"id":"1"}]"#))
        let reply = c.readFrames(1).first?.text ?? ""
        #expect(reply.hasPrefix(#"[{"channel":"/meta/handshake","successful":true,"clientId":""#), "\(reply)")
        #expect(try HTTPTestClient.get(port: s.port, "/health").status == 200)
    }
}
