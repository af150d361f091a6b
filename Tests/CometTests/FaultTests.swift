import Foundation
import Glibc
import Postgres
import Testing
import TickerTestSupport

/// Faults against `ticker serve` as a real process: restarts and stalled readers.
@Suite struct FaultTests {
    func rssKB(_ pid: Int32) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
        return Int(line.split(separator: " ")[1]) ?? -1
    }

    func serve(_ port: Int, _ db: DatabaseTarget, _ extra: [String] = []) throws -> ChildProcess {
        // One process unless a test asks for more: its pid is the server's (RSS, signals).
        let workers = extra.contains("--workers") ? [] : ["--workers", "1"]
        let p = try ChildProcess([tickerExecutable, "serve", "--port", "\(port)", "--database-url", db.serverURL,
                                  "--log-level", "error"] + workers + extra, log: NSTemporaryDirectory() + "serve-\(port).log")
        try waitForPort(port)
        return p
    }

    @Test func serverRestartsBySIGTERMAndKillLoseAndRepeatNothing() throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        var server = try serve(port, db)
        let followers = Followers(3, port: port, timeout: 40)
        let clients = followers.clients
        Thread.sleep(forTimeInterval: 0.5)
        try feedTicks(db.feedURL, count: 300, interval: 0.01) { i in
            if i == 80 { server.terminate(); server = try serve(port, db) }                         // SIGTERM, then a new server
            if i == 180 { kill(server.pid, SIGKILL); server.stop(); server = try serve(port, db) } // kill -9
        }
        let expected = try databaseIDs(db.adminURL)
        followers.finish(at: expected.last)
        server.terminate()
        for c in clients { #expect(c.ids == expected, "reconnects \(c.reconnects), got \(c.ids.count) of \(expected.count)") }
        #expect(clients.allSatisfy { $0.reconnects >= 2 })
    }

    @Test func aHundredStalledReadersForAMinuteKeepMemoryBounded() throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        let server = try serve(port, db, ["--heartbeat", "5"])
        defer { server.terminate() }
        let stalled = try (0..<100).map { _ in try HTTPTestClient(port: port, path: "/stream?symbols=A", receiveBuffer: 4096) }
        let followers = Followers(1, port: port, timeout: 120)
        let healthy = followers.clients[0]
        Thread.sleep(forTimeInterval: 1)
        let baseline = rssKB(server.pid)
        var peak = baseline
        // 1,000 ticks/s for 60 s: ten rows every 10 ms, one statement each.
        let feed = try PGConnection(db.feedURL)
        let start = Date()
        var sent = 0
        while Date().timeIntervalSince(start) < 60 {
            let due = Int(Date().timeIntervalSince(start) * 1000) - sent
            if due > 0 {
                try feed.exec("INSERT INTO ticks (symbol, price, size) SELECT 'A', 100 + g % 50, g FROM generate_series(1, $1::int) g", [String(due)])
                sent += due
            }
            if sent % 5000 < 10 { peak = max(peak, rssKB(server.pid)) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        peak = max(peak, rssKB(server.pid))
        let expected = try databaseIDs(db.adminURL)
        followers.finish(at: expected.last)
        let metrics = try HTTPTestClient.get(port: port, "/metrics").body
        let conflated = metrics.split(separator: "\n").first { $0.hasPrefix("ticker_conflated_ticks_total ") }
        let growthMB = Double(peak - baseline) / 1024
        let lat = healthy.latencies.sorted()
        let p50 = lat.isEmpty ? -1 : lat[lat.count / 2] * 1000, p99 = lat.isEmpty ? -1 : lat[lat.count * 99 / 100] * 1000
        let early = healthy.latencies.prefix(5000).sorted(), late = healthy.latencies.suffix(5000).sorted()
        let earlyP99 = early.isEmpty ? -1 : early[early.count * 99 / 100] * 1000, lateP99 = late.isEmpty ? -1 : late[late.count * 99 / 100] * 1000
        print("healthy reader: p50 \(Int(p50)) ms, p99 \(Int(p99)) ms; p99 of its first 5,000 ticks \(Int(earlyP99)) ms, of its last 5,000 \(Int(lateP99)) ms")
        print("stalled readers: \(expected.count) ticks in 60 s, server RSS \(baseline / 1024) MB -> peak \(peak / 1024) MB (+\(String(format: "%.1f", growthMB)) MB), \(conflated ?? "")")
        #expect(expected.count >= 55_000)
        #expect(healthy.ids == expected, "the healthy reader got \(healthy.ids.count) of \(expected.count)")
        // Its latency does not drift up as the stalled readers' backlogs fill.
        #expect(p99 >= 0 && p99 < 1000, "healthy p99 \(p99) ms")
        #expect(lateP99 < max(3 * earlyP99, 250), "healthy p99 went from \(earlyP99) ms to \(lateP99) ms")
        // Unbounded, 100 readers would hold 100 × ~9 MB of backlog; bounded, 256 KiB of
        // data each, about 0.6 MB with evbuffer overhead (+58 MB measured here).
        #expect(growthMB < 120, "server memory grew \(growthMB) MB")
        #expect((Int(conflated?.split(separator: " ").last ?? "0") ?? 0) > 100_000)
        withExtendedLifetime(stalled) {}
    }
}
