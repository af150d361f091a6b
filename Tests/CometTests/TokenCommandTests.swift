import Foundation
import Postgres
import Testing
import TickerTestSupport

/// `ticker token`, as the README uses it: a token from the same secret file
/// opens what it grants and nothing else; a public key or a bad pattern gets
/// one line.
@Suite struct TokenCommandTests {
    static var ticker: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ticker").path
    }

    @Test func aMintedTokenOpensWhatItGrants() throws {
        let mint = try TokenMint()
        let s = try TestServer(target: TestCluster.database()) {
            $0.authKeyFile = URL(fileURLWithPath: mint.secretFile)
            $0.delaySeconds = 2
        }
        try s.insert("INSERT INTO ticks (symbol, price, ts) VALUES ('AAPL', 1, now() - interval '1 minute'), ('MSFT', 2, now() - interval '1 minute'), ('IBM', 3, now())")
        let (status, out) = try Shell.runStatus([Self.ticker, "token", "--key-file", mint.secretFile, "--realtime", "aapl", "--delayed", "MS*", "--expires", "10m"])
        #expect(status == 0, "\(out)")
        let token = out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.split(separator: ".").count == 3)
        let quotes = try HTTPTestClient.get(port: s.port, "/quotes?symbols=AAPL,MSFT&token=\(token)")
        #expect(quotes.status == 200, "\(quotes.body)")
        #expect(quotes.body.contains(#""delayed":["MSFT"]"#), "\(quotes.body)")
        let refused = try HTTPTestClient.get(port: s.port, "/quotes?symbols=IBM", headers: ["Authorization": "Bearer \(token)"])
        #expect(refused.status == 403 && refused.body.contains("not entitled to IBM"), "\(refused.body)")
        // --expires 0: a token without exp (docs/PROTOCOL.md), accepted.
        let (_, lasting) = try Shell.runStatus([Self.ticker, "token", "--key-file", mint.secretFile, "--realtime", "*", "--expires", "0"])
        #expect(try HTTPTestClient.get(port: s.port, "/quotes?symbols=AAPL&token=\(lasting.trimmingCharacters(in: .whitespacesAndNewlines))").status == 200,
                "--expires 0 means no exp")
    }

    @Test func mistakesGetOneLine() throws {
        let mint = try TokenMint()
        try mint.makeRSAKeys()
        let cases: [([String], String)] = [
            (["--key-file", mint.rsaPublic, "--realtime", "AAPL"], "public key"),
            (["--key-file", mint.secretFile, "--realtime", "AA PL"], "not a symbol pattern"),
            (["--key-file", mint.secretFile], "at least one symbol pattern"),
            (["--key-file", mint.secretFile, "--realtime", "AAPL", "--expires", "soon"], "--expires"),
            (["--key-file", "/nonexistent/key", "--realtime", "AAPL"], "cannot read the key file"),
        ]
        for (arguments, words) in cases {
            let (status, out) = try Shell.runStatus([Self.ticker, "token"] + arguments)
            #expect(status != 0, "\(arguments): \(out)")
            #expect(out.split(separator: "\n").count == 1 && out.hasPrefix("ticker: ") && out.contains(words), "\(arguments): \(out)")
        }
    }
}
