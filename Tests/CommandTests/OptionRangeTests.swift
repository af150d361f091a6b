import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Every numeric option of every command, given values out of its range or
/// not numbers at all, as a user mistyping would: one clear line and exit 64
/// (usage error), never a crash (`ticker up --port 99999` died of SIGILL).
@Suite struct OptionRangeTests {
    /// Not a number, or out of every option's range.
    static let hopeless = ["nan", "inf", "1e400", "99999999999999999999", "abc", "", "12abc", "-5"]

    /// (command line before the option, option, values out of its own range)
    static let options: [([String], String, [String])] = [
        (["up"], "--port", ["65536", "99999", "-1"]),
        (["up"], "--rate", ["0", "0.001", "10000000"]),
        (["serve"], "--port", ["65536", "99999"]),
        (["serve"], "--heartbeat", ["0", "0.5", "301"]),
        (["serve"], "--max-per-address", ["-1", "19001"]),
        (["serve"], "--workers", ["0", "65"]),
        (["serve"], "--bayeux-timeout", ["0", "0.5", "301"]),
        (["serve"], "--bayeux-max-clients-per-address", ["-1", "1000001"]),
        (["serve"], "--bayeux-max-subscriptions", ["0", "10001"]),
        (["serve"], "--delay", ["86401", "2x", "1d", "0.5.5m"]),
        (["feed", "--simulate"], "--rate", ["0", "2000000"]),
        (["feed", "--simulate"], "--duration", ["0", "1e10"]),
        (["feed", "--csv", "/dev/null"], "--batch-rows", ["0", "1000001"]),
        (["bench"], "--port", ["0", "65536"]),
        (["bench"], "--subscribers", ["0", "19001"]),
        (["bench"], "--symbols", ["0", "1001"]),
        (["bench"], "--rate", ["0", "1e7"]),
        (["bench"], "--duration", ["0", "86401"]),
        (["bench"], "--server-pid", ["0", "4194305", "99999999999"]),
        (["bench"], "--processes", ["0", "65"]),
        (["bench"], "--quiet", ["0", "601"]),
    ]

    @Test(arguments: options.indices)
    func outOfRangeValuesGetOneLineAndExit64(_ index: Int) throws {
        let (command, option, own) = Self.options[index]
        for value in own + Self.hopeless {
            let (status, output) = try TickerCommand.run(command + [option, value], environment: TickerCommand.isolatedEnvironment())
            let lines = output.split(separator: "\n")
            let shown = (command + [option, value]).joined(separator: " ")
            #expect(status == 64, "ticker \(shown) exited \(status): \(output)")
            #expect(lines.count == 1 && lines[0].hasPrefix("ticker: "), "ticker \(shown) printed: \(output)")
            if !value.hasPrefix("-") { #expect(output.contains(option), "ticker \(shown) does not name the option: \(output)") }
        }
    }

    @Test func aDelayWithoutTokensIsRefusedNamingBoth() throws {
        let (status, output) = try TickerCommand.run(["serve", "--delay", "2s"], environment: TickerCommand.isolatedEnvironment())
        #expect(status == 64, "\(output)")
        #expect(output.split(separator: "\n").count == 1 && output.hasPrefix("ticker: --delay needs --auth-key-file"), "\(output)")
    }

    @Test func aBadPortInTheEnvironmentIsAUsageErrorToo() throws {
        let (status, output) = try TickerCommand.run(["serve"], environment: TickerCommand.isolatedEnvironment(["PORT": "99999"]))
        #expect(status == 64)
        #expect(output.hasPrefix("ticker: PORT '99999' is not a port number"))
    }

    @Test func upOnPortZeroPrintsThePortItListensOnWithHostAndCORS() throws {
        let db = try TestCluster.database()
        let log = NSTemporaryDirectory() + "up-\(UUID().uuidString).log"
        let up = try ChildProcess([TickerCommand.path, "up", "--port", "0", "--host", "127.0.0.2", "--cors-origin", "https://app.example",
                                   "--rate", "5", "--database-url", db.adminURL, "--log-level", "warning"], log: log)
        defer { up.terminate() }
        var port: Int?
        let deadline = Date().addingTimeInterval(20)
        while port == nil && Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: "open http://127.0.0.2:") { port = Int(text[r.upperBound...].prefix { $0.isNumber }) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let bound = try #require(port, "no 'open http://127.0.0.2:PORT/' line in: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(bound != 0)
        var c = try HTTPTestClient(port: bound, path: "/health", headers: ["Origin": "https://app.example", "Connection": "close"], host: "127.0.0.2")
        _ = c.readUntil(timeout: 5) { _ in false }
        for _ in 0..<50 where c.status == 503 { // 503 until its LISTEN connection is up
            Thread.sleep(forTimeInterval: 0.1)
            c = try HTTPTestClient(port: bound, path: "/health", headers: ["Origin": "https://app.example", "Connection": "close"], host: "127.0.0.2")
            _ = c.readUntil(timeout: 5) { _ in false }
        }
        #expect(c.status == 200)
        #expect(c.headers["access-control-allow-origin"] == "https://app.example")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("Ctrl-C stops the server and the feed."))
    }
}
