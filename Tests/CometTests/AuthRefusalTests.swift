import Foundation
import Postgres
import Testing
import TickerTestSupport

/// With `--auth-key-file`, every data route refuses what it must: the right
/// status and reason, one line of JSON, and the token nowhere in the answer
/// or the server's logs. Tokens come from PyJWT (or are forged by hand).
@Suite(.serialized) struct AuthRefusalTests {
    static let dataRoutes = ["/stream?symbols=AAPL", "/ws?symbols=AAPL", "/poll?symbols=AAPL&since=0",
                             "/poll?symbols=AAPL&callback=cb", "/quotes?symbols=AAPL", "/history?symbol=AAPL",
                             "/board?symbols=AAPL", "/ticker.png?symbols=AAPL", "/ticker.png?symbols=AAPL&once=1"]

    /// Asks every data route with `token` (as the query, the header and the
    /// cookie in turn) and checks the refusal.
    func expectRefused(_ s: TestServer, token: String?, status: Int, reason: String, logs: LogRecorder,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (i, route) in Self.dataRoutes.enumerated() {
            var path = route
            var headers: [String: String] = [:]
            if let token {
                switch i % 3 {
                case 0: path += "&token=\(token)"
                case 1: headers["Authorization"] = "Bearer \(token)"
                default: headers["Cookie"] = "theme=dark; ticker_token=\(token)"
                }
            }
            let r = try HTTPTestClient.get(port: s.port, path, headers: headers)
            #expect(r.status == status, "\(route): \(r.status) \(r.body)", sourceLocation: sourceLocation)
            if let token, token.count > 8 {
                #expect(!r.body.contains(token) && !r.body.contains(String(token.suffix(20))), "\(route) echoes the token", sourceLocation: sourceLocation)
                #expect(!logs.text.contains(String(token.suffix(20))), "the log has the token", sourceLocation: sourceLocation)
            }
            if route.hasPrefix("/board") {
                // A page people open: the one line as a short HTML page.
                #expect(r.header("content-type") == "text/html; charset=utf-8" && r.body.components(separatedBy: "<p>").count == 2,
                        "\(route): \(r.body)", sourceLocation: sourceLocation)
                continue
            }
            #expect(r.body.hasSuffix("\n") && r.body.dropLast().split(separator: "\n").count == 1, "\(route): \(r.body)", sourceLocation: sourceLocation)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any], sourceLocation: sourceLocation)
            #expect(json["reason"] as? String == reason, "\(route): \(r.body)", sourceLocation: sourceLocation)
            #expect((json["error"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
            if status == 401 {
                #expect(r.header("www-authenticate")?.hasPrefix("Bearer") == true, sourceLocation: sourceLocation)
            }
        }
    }

    @Test func everyDataRouteRefusesBadTokens() throws {
        let mint = try TokenMint()
        let logs = LogRecorder()
        let s = try TestServer(target: TestCluster.database(), logger: logs.logger) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = 2
        }
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1), ('MSFT', 2)")
        let grant = TokenMint.claims(realtime: ["AAPL"])
        try expectRefused(s, token: nil, status: 401, reason: "missing", logs: logs)
        try expectRefused(s, token: mint.hs256(TokenMint.claims(realtime: ["AAPL"], expiresIn: -120)), status: 401, reason: "expired", logs: logs)
        try expectRefused(s, token: mint.hs256(TokenMint.claims(realtime: ["AAPL"], notBeforeIn: 300)), status: 401, reason: "not-yet-valid", logs: logs)
        let otherSecret = mint.folder.appendingPathComponent("other").path
        try (String(repeating: "x", count: 40) + "\n").write(toFile: otherSecret, atomically: true, encoding: .utf8)
        try expectRefused(s, token: mint.hs256(grant, secret: otherSecret), status: 401, reason: "bad-signature", logs: logs)
        try expectRefused(s, token: mint.none(grant), status: 401, reason: "algorithm", logs: logs)
        try expectRefused(s, token: "not.a-token", status: 401, reason: "malformed", logs: logs)
        // A good token, but not for MSFT: 403 naming it.
        let good = try mint.hs256(grant)
        for route in ["/stream?symbols=AAPL,MSFT", "/ws?symbols=MSFT", "/poll?symbols=MSFT", "/quotes?symbols=MSFT",
                      "/history?symbol=MSFT", "/board?symbols=MSFT", "/ticker.png?symbols=MSFT"] {
            let r = try HTTPTestClient.get(port: s.port, route + "&token=\(good)")
            #expect(r.status == 403, "\(route): \(r.body)")
            if route.hasPrefix("/board") {
                #expect(r.body.contains("<p>not entitled to MSFT</p>"), "\(r.body)")
            } else {
                #expect(r.body == #"{"error":"not entitled to MSFT","reason":"not-entitled","symbols":["MSFT"]}"# + "\n")
            }
        }
        // The good token opens the data routes; the open routes need none.
        let quotes = try HTTPTestClient.get(port: s.port, "/quotes?symbols=AAPL", headers: ["Authorization": "Bearer \(good)"])
        #expect(quotes.status == 200 && quotes.body.contains("\"symbol\":\"AAPL\""))
        for open in ["/health", "/metrics", "/", "/ticker.js"] {
            #expect(try HTTPTestClient.get(port: s.port, open).status == 200, "\(open)")
        }
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_auth_refusals_total{reason=\"expired\"} \(Self.dataRoutes.count)"))
        #expect(metrics.contains("ticker_auth_refusals_total{reason=\"not-entitled\"} 7"))
        #expect(metrics.contains("ticker_delayed_ticks_held "))
    }

    @Test func anRSAKeyRefusesHMACConfusion() throws {
        let mint = try TokenMint()
        try mint.makeRSAKeys()
        let logs = LogRecorder()
        let s = try TestServer(target: TestCluster.database(), logger: logs.logger) {
            $0.authKeyFile = URL(fileURLWithPath: mint.rsaPublic)
        }
        let grant = TokenMint.claims(realtime: ["AAPL"])
        try expectRefused(s, token: mint.confused(grant), status: 401, reason: "algorithm", logs: logs)
        try expectRefused(s, token: mint.hs256(grant), status: 401, reason: "algorithm", logs: logs)
        let good = try mint.rs256(grant)
        let r = try HTTPTestClient.get(port: s.port, "/poll?symbols=AAPL&token=\(good)")
        #expect(r.status == 200, "\(r.body)")
    }

    @Test func withoutAKeyEverythingStaysOpen() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', 2)")
        Thread.sleep(forTimeInterval: 0.3)
        let r = try HTTPTestClient.get(port: s.port, "/quotes?symbols=MSFT")
        #expect(r.status == 200 && !r.body.contains("delay"))
        let poll = try HTTPTestClient.get(port: s.port, "/poll?symbols=MSFT&token=anything")
        #expect(poll.status == 200)
    }

    @Test func tickerServeTurnsItOnFromTheCommandLine() throws {
        let mint = try TokenMint()
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        let log = NSTemporaryDirectory() + "serve-auth-\(port).log"
        let server = try ChildProcess([tickerExecutable, "serve", "--port", "\(port)", "--database-url", db.serverURL, "--workers", "1",
                                       "--log-level", "debug", "--auth-key-file", mint.secretFile, "--delay", "2s"], log: log)
        defer { server.terminate() }
        try waitForPort(port)
        #expect(try HTTPTestClient.get(port: port, "/quotes?symbols=AAPL").status == 401)
        let token = try mint.hs256(TokenMint.claims(delayed: ["*"]))
        let ok = try HTTPTestClient.get(port: port, "/quotes?symbols=AAPL&token=\(token)")
        #expect(ok.status == 200 && ok.body.contains("\"delay\":2,\"delayed\":[\"AAPL\"]"), "\(ok.body)")
        // A request evhttp refuses, with the token in its line: none of it reaches the log.
        let bad = try HTTPTestClient(port: port, path: "", rawRequest: "GET /stream?token=\(token) HTTP/9.9\r\nHost: x\r\n\r\n")
        bad.read(for: 1)
        server.terminate()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!text.contains(String(token.suffix(20))), "the log has the token")
        // A key file that is not one: one line, before anything starts.
        let short = mint.folder.appendingPathComponent("short").path
        try "abc\n".write(toFile: short, atomically: true, encoding: .utf8)
        let (status, output) = try TickerCommand.run(["serve", "--port", "0", "--database-url", db.serverURL, "--workers", "1", "--auth-key-file", short])
        #expect(status != 0 && output.contains("at least 32") && output.split(separator: "\n").count == 1, "\(output)")
    }
}
