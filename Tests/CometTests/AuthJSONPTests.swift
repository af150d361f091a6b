import Foundation
import Testing
import TickerTestSupport

/// JSONP never authenticates by the `ticker_token` cookie: a `<script src>`
/// on any website sends the browser's cookies and reads the answer, so
/// `/poll?callback=` and Bayeux callback-polling need `token=` (or
/// `ext.ticker.token`) or the `Authorization` header.
@Suite struct AuthJSONPTests {
    @Test func aCallbackPollIgnoresTheCookie() throws {
        let mint = try TokenMint()
        let s = try TestServer(target: TestCluster.database()) { $0.authKeyFile = URL(fileURLWithPath: mint.secretFile) }
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1)")
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"]))
        let cookie = ["Cookie": "ticker_token=\(token)"]
        let stolen = try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL&callback=steal", headers: cookie)
        #expect(stolen.status == 401 && stolen.body.contains(#""reason":"missing""#), "\(stolen.body)")
        #expect(stolen.body.hasPrefix(#"{"error":"JSONP (callback=) does not use the ticker_token cookie"#), "\(stolen.body)")
        #expect(!stolen.body.contains("steal(") && !stolen.body.contains("\"ticks\""))
        // The same cookie without a callback, and a callback with token= or the header, work.
        #expect(try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL", headers: cookie).status == 200)
        let withToken = try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL&callback=cb&token=\(token)")
        #expect(withToken.status == 200 && withToken.body.hasPrefix("/**/cb({\"cursor\":1,"), "\(withToken.body)")
        let withHeader = try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL&callback=cb", headers: ["Authorization": "Bearer \(token)"])
        #expect(withHeader.status == 200 && withHeader.body.hasPrefix("/**/cb({"))
    }

    @Test func bayeuxCallbackPollingIgnoresTheCookie() throws {
        let mint = try TokenMint()
        let s = try TestServer(target: TestCluster.database()) { $0.authKeyFile = URL(fileURLWithPath: mint.secretFile) }
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"]))
        func handshake(ext: String) -> String {
            let message = #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["callback-polling"]\#(ext)}]"#
            return message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        }
        let stolen = try HTTPTestClient.get(port: s.port, "/cometd?message=\(handshake(ext: ""))&jsonp=steal",
                                            headers: ["Cookie": "ticker_token=\(token)"]).body
        #expect(stolen.contains(#""successful":false"#) && stolen.contains("401::"), "\(stolen)")
        let viaExt = try HTTPTestClient.get(port: s.port, "/cometd?message=\(handshake(ext: #","ext":{"ticker":{"token":"\#(token)"}}"#))&jsonp=cb").body
        #expect(viaExt.hasPrefix(#"/**/cb([{"channel":"/meta/handshake","successful":true"#), "\(viaExt)")
        let viaHeader = try HTTPTestClient.get(port: s.port, "/cometd?message=\(handshake(ext: ""))&jsonp=cb",
                                               headers: ["Authorization": "Bearer \(token)"]).body
        #expect(viaHeader.contains(#""successful":true"#), "\(viaHeader)")
        // A POST (not readable cross-site) still takes the cookie.
        let posted = try bayeuxPost(s.port, #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}"#,
                                    headers: ["Cookie": "ticker_token=\(token)"]).body
        #expect(posted.contains(#""successful":true"#), "\(posted)")
    }
}
