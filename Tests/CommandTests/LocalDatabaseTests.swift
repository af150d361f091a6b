import Foundation
import Postgres
import Testing
import TickerTestSupport

/// The local database from the command line: a stopped one stays stopped
/// (only `ticker up` and `ticker db start` start it), and every command finds
/// it the same way from any folder.
@Suite struct LocalDatabaseTests {
    func environment(home: URL) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TICKER_HOME"] = home.path
        env.removeValue(forKey: "DATABASE_URL")
        return env
    }

    @Test func commandsSayTheDatabaseIsStoppedInsteadOfStartingIt() throws {
        let cluster = try TestCluster.isolated()
        try cluster.stop()
        let csv = NSTemporaryDirectory() + "stopped-\(UUID().uuidString).csv"
        try "symbol,price\nAAPL,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        for command in [["feed", "--csv", csv], ["serve", "--port", "0"], ["db", "migrate"], ["bench", "--duration", "1"]] {
            let (status, output) = try TickerCommand.run(command, environment: environment(home: cluster.home))
            #expect(status != 0, "ticker \(command.joined(separator: " ")) succeeded: \(output)")
            #expect(output.contains("the local database under \(cluster.home.path) is stopped; start it with 'ticker db start'"),
                    "ticker \(command.joined(separator: " ")): \(output)")
            #expect(!cluster.isRunning(), "ticker \(command.joined(separator: " ")) started the database")
        }
        let (status, output) = try TickerCommand.run(["db", "status"], environment: environment(home: cluster.home))
        #expect(status == 3)
        #expect(output.hasPrefix("home: \(cluster.home.path) (TICKER_HOME)\nstopped"), "\(output)")
    }

    /// A fresh folder tree under /tmp for `ClusterHome.locate`.
    func tree(_ paths: [String]) throws -> URL {
        let root = URL(fileURLWithPath: NSTemporaryDirectory() + "home-\(UUID().uuidString)", isDirectory: true)
        for p in paths {
            let url = root.appendingPathComponent(p)
            if p.hasSuffix("/") {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } else {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try "".write(to: url, atomically: true, encoding: .utf8)
            }
        }
        return root
    }

    @Test func theHomeIsFoundFromAnyFolder() throws {
        let root = try tree(["repo/Package.swift", "repo/Schema/", "repo/.build/debug/ticker", "work/.ticker/", "work/a/b/", "elsewhere/"])
        defer { try? FileManager.default.removeItem(at: root) }
        let exe = root.appendingPathComponent("repo/.build/debug/ticker")
        func locate(_ cwd: String, env: [String: String] = [:], exe: URL? = exe) -> ClusterHome {
            ClusterHome.locate(environment: env, currentDirectory: root.appendingPathComponent(cwd, isDirectory: true), executable: exe)
        }
        #expect(locate("work/a/b") == ClusterHome(url: root.appendingPathComponent("work/.ticker", isDirectory: true), reason: "found above the current folder"))
        #expect(locate("work").reason == "found in the current folder")
        #expect(locate("elsewhere") == ClusterHome(url: root.appendingPathComponent("repo/.ticker", isDirectory: true), reason: "the checkout of this ticker executable"))
        #expect(locate("elsewhere", exe: nil) == ClusterHome(url: root.appendingPathComponent("elsewhere/.ticker", isDirectory: true), reason: "default: .ticker in the current folder"))
        #expect(locate("work/a", env: ["TICKER_HOME": "../h"]) == ClusterHome(url: root.appendingPathComponent("work/h", isDirectory: true), reason: "TICKER_HOME"))
    }
}
