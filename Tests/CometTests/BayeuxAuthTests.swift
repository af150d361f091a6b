import Comet
import Foundation
import Postgres
import Testing
import TickerTestSupport

/// `/cometd` under #16's tokens (`--auth-key-file`), with tokens minted by PyJWT.
@Suite struct BayeuxAuthTests {
    func server(_ mint: TokenMint, delay: Double = 2) throws -> TestServer {
        try TestServer(target: TestCluster.database()) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = delay
            $0.tokenLeewaySeconds = 0
            $0.bayeux.connectTimeoutSeconds = 10
        }
    }

    func handshake(_ port: Int, token: String?, headers: [String: String] = [:]) throws -> String {
        let ext = token.map { #","ext":{"ticker":{"token":"\#($0)"}}"# } ?? ""
        return try bayeuxPost(port, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]\#(ext)}"#,
                              headers: headers).body
    }

    func clientId(_ reply: String) -> String {
        guard let r = reply.range(of: #""clientId":""#) else { return "" }
        return String(reply[r.upperBound...].prefix { $0 != "\"" })
    }

    func subscribe(_ port: Int, _ id: String, _ channel: String) throws -> String {
        try bayeuxPost(port, #"{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"\#(channel)"}"#).body
    }

    @Test func theHandshakeNeedsAValidTokenAndSubscribesStayWithinItsClaims() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        #expect(try handshake(s.port, token: nil).contains(#""error":"401::this server needs a token"#))
        let forged = try mint.hs256(TokenMint.claims(realtime: ["*"]), secret: "/etc/hostname")
        let refused = try handshake(s.port, token: forged)
        #expect(refused.contains(#""successful":false"#) && refused.contains("401::") && refused.contains(#""reconnect":"none""#), "\(refused)")

        let mixed = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["M*"]))
        let id = clientId(try handshake(s.port, token: mixed))
        #expect(id.count == 48)
        #expect(try subscribe(s.port, id, "/quotes/AAPL").contains(#""successful":true"#))
        #expect(try subscribe(s.port, id, "/quotes/IBM").contains("403::not entitled to IBM"))
        #expect(try subscribe(s.port, id, "/quotes/MSFT").contains("403::MSFT is delayed for your token"))
        // The token may also come with the request, as for the other routes.
        let fromHeader = try handshake(s.port, token: nil, headers: ["Authorization": "Bearer \(mixed)"])
        #expect(fromHeader.contains(#""successful":true"#), "\(fromHeader)")
        let fromCookie = try handshake(s.port, token: nil, headers: ["Cookie": "ticker_token=\(mixed)"])
        #expect(fromCookie.contains(#""successful":true"#), "\(fromCookie)")
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains(#"ticker_auth_refusals_total{reason="not-entitled"} 2"#), "\(metrics)")
    }

    /// A token with only delayed symbols: `/quotes/*` is the delayed view,
    /// each tick once, marked delayed, no earlier than the delay allows.
    @Test func aDelayedOnlyTokenGetsTheDelayedViewExactlyOnce() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        let token = try mint.hs256(TokenMint.claims(delayed: ["*"]))
        let lp = try PythonBayeuxClient(.aiocometd, port: s.port, channels: ["/quotes/*"], ["--transport", "long-polling", "--token", token])
        let ws = try PythonBayeuxClient(.aiocometd, port: s.port, channels: ["/quotes/B"], ["--transport", "websocket", "--token", token])
        for c in [lp, ws] { #expect(c.wait(timeout: 30) { $0.log.contains("subscribed ") }, "\(c.log)") }
        let feed = try PGConnection(s.target.feedURL)
        let started = Date()
        for i in 0..<30 { try feed.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [["A", "B"][i % 2], String(i + 1)]) }
        let all = try databaseIDs(s.target.adminURL), bs = try databaseIDs(s.target.adminURL, symbols: ["B"])
        #expect(lp.wait(timeout: 20) { $0.ids.last == all.last }, "\(lp.ids.count) of \(all.count): \(lp.log)")
        #expect(Date().timeIntervalSince(started) >= 1.9, "the last tick came before the delay passed")
        #expect(ws.wait(timeout: 10) { $0.ids.last == bs.last }, "\(ws.log)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(lp.ids == all)
        #expect(ws.ids == bs)
        #expect(lp.log.components(separatedBy: "delayed ").count - 1 == all.count, "every delivery has \"delayed\":true")
    }

    @Test func anExpiredTokenEndsTheSessionAskingForANewHandshake() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        let id = clientId(try handshake(s.port, token: try mint.hs256(TokenMint.claims(realtime: ["*"], expiresIn: 2))))
        let connect = { (n: Int) in #"[{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling","id":"\#(n)"}]"# }
        _ = try bayeuxPost(s.port, connect(1))  // the first is answered at once
        let held = try bayeuxPost(s.port, connect(2), timeout: 12).body  // held until the token runs out
        #expect(held.contains("402::token expired; handshake again with a fresh token") && held.contains(#""reconnect":"handshake""#), "\(held)")
        let later = try bayeuxPost(s.port, connect(3)).body
        #expect(later.contains("402::token expired; handshake again with a fresh token"), "\(later)")
    }

    /// A delayed session resumes against the delayed cursor: across a server
    /// restart, nothing lost or repeated, nothing early.
    @Test func aDelayedSessionResumesAcrossARestartWithTheResumeExtension() throws {
        let mint = try TokenMint()
        let target = try TestCluster.database()
        let configure = { (port: Int) in { (c: inout CometConfiguration) in
            c.port = port
            c.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            c.delaySeconds = 1
            c.bayeux.connectTimeoutSeconds = 3
        } }
        let first = try TestServer(target: target, configure: configure(0))
        let port = first.port
        let token = try mint.hs256(TokenMint.claims(delayed: ["*"]))
        let lp = try PythonBayeuxClient(.aiocometd, port: port, channels: ["/quotes/**"], ["--transport", "long-polling", "--resume", "--token", token])
        #expect(lp.wait(timeout: 30) { $0.log.contains("subscribed ") }, "\(lp.log)")
        let feed = try PGConnection(target.feedURL)
        func insert(_ n: Int) throws {
            for i in 0..<n {
                try feed.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [["A", "B"][i % 2], String(i + 1)])
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        try insert(20)
        #expect(lp.wait(timeout: 10) { $0.ids.count >= 5 }, "\(lp.log)")
        first.stop()
        try insert(20)
        let second = try TestServer(target: target, configure: configure(port))
        try insert(20)
        let all = try databaseIDs(target.adminURL)
        #expect(lp.wait(timeout: 30) { $0.ids.last == all.last }, "\(lp.ids.count) of \(all.count): \(lp.log)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(lp.ids == all)
        _ = second
    }
}
