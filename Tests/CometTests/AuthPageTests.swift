import Foundation
import Testing
import TickerTestSupport

/// What a person sees of #16 in a browser: `/board` marks delayed rows and
/// links to the dashboard with its token, a refusal on `/board` is a short
/// page (not JSON), and no page passes a `?token=` address on as a referrer.
@Suite struct AuthPageTests {
    func server(_ mint: TokenMint) throws -> TestServer {
        try TestServer(target: TestCluster.database()) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = 900
        }
    }

    @Test func theBoardMarksDelayedRowsAndKeepsItsToken() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        try s.insert("INSERT INTO ticks (symbol, price, ts) VALUES ('AAPL', 2, now()), ('MSFT', 111.5, now() - interval '20 minutes')")
        Thread.sleep(forTimeInterval: 0.5)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"], delayed: ["*"]))
        let board = try HTTPTestClient.get(port: s.port, "/board?symbols=AAPL,MSFT&token=\(token)")
        #expect(board.status == 200)
        #expect(board.body.contains(#"<td class="sym">MSFT <small class="delayed">delayed 15 min</small></td>"#), "\(board.body)")
        #expect(board.body.contains(#"<td class="sym">AAPL</td>"#))
        #expect(board.body.contains(#"<a href="/?symbols=AAPL,MSFT&amp;token=\#(token)">Live dashboard</a>"#), "\(board.body.suffix(400))")
        #expect(board.header("Referrer-Policy") == "no-referrer")
    }

    @Test func aRefusedBoardIsAShortPage() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        let missing = try HTTPTestClient.get(port: s.port, "/board?symbols=MSFT")
        #expect(missing.status == 401 && missing.header("Content-Type") == "text/html; charset=utf-8")
        #expect(missing.body.hasPrefix("<!DOCTYPE html>") && missing.body.contains("<p>this server needs a token: send Authorization: Bearer &lt;token&gt;"), "\(missing.body)")
        #expect(missing.header("WWW-Authenticate") == "Bearer")
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"]))
        let refused = try HTTPTestClient.get(port: s.port, "/board?symbols=AAPL,MSFT&token=\(token)")
        #expect(refused.status == 403 && refused.body.contains("<p>not entitled to MSFT</p>") && !refused.body.contains(token), "\(refused.body)")
        // The API routes keep their one line of JSON.
        let json = try HTTPTestClient.get(port: s.port, "/quotes?symbols=MSFT&token=\(token)")
        #expect(json.status == 403 && json.body.hasPrefix("{\"error\":\"not entitled to MSFT\""))
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains(#"ticker_auth_refusals_total{reason="not-entitled"} 2"#) && metrics.contains(#"ticker_auth_refusals_total{reason="missing"} 1"#))
    }

    @Test func noPageSendsItsAddressAsAReferrer() throws {
        let mint = try TokenMint()
        let s = try server(mint)
        let token = try mint.hs256(TokenMint.claims(realtime: ["AAPL"]))
        let page = try HTTPTestClient.get(port: s.port, "/?token=\(token)")
        #expect(page.status == 200 && page.header("Referrer-Policy") == "no-referrer")
        #expect(page.body.contains(#"<meta name="referrer" content="no-referrer">"#))
        let frame = try HTTPTestClient(port: s.port, path: "/stream?symbols=AAPL&transport=iframe&token=\(token)")
        #expect(frame.readUntil(timeout: 5, contains: "<script>"))
        #expect(frame.headers["content-type"]?.hasPrefix("text/html") == true && frame.headers["referrer-policy"] == "no-referrer")
        frame.close()
    }
}
