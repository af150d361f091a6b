import Foundation
import Glibc
import Postgres
import Testing
import TickerTestSupport

/// The `ticker` executable built beside the test bundle.
var tickerExecutable: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ticker").path
}

/// A client that reconnects with its last event id whenever its stream drops.
final class ResumingClient: @unchecked Sendable {
    let port: Int
    private(set) var ids: [Int64] = []
    /// Seconds from each tick's database time (`ts`) to its arrival here.
    private(set) var latencies: [Double] = []
    private(set) var reconnects = 0
    init(port: Int) { self.port = port }

    /// Index just past the last blank line (`\n\n`) at or after `from`, if any.
    static func lastEventEnd(_ b: [UInt8], from: Int) -> Int? {
        var i = b.count - 1
        while i > from {
            if b[i] == 10, b[i - 1] == 10 { return i + 1 }
            i -= 1
        }
        return nil
    }

    nonisolated(unsafe) static let iso: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    /// Reads until it has seen `last`, reconnecting as needed, for up to `timeout`.
    func follow(until last: () -> Int64?, timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let since = ids.last.map { "&since=\($0)" } ?? ""
            guard let c = try? HTTPTestClient(port: port, path: "/stream?symbols=A\(since)") else {
                Thread.sleep(forTimeInterval: 0.1); continue
            }
            var seen = 0
            while Date() < deadline {
                c.read(for: 0.2)
                // Parse only what arrived since the last look, up to the last whole event:
                // a reader that re-parsed everything would itself become the slow reader.
                let body = c.body
                if let end = Self.lastEventEnd(body, from: seen) {
                    let now = Date()
                    for e in parseSSE(String(decoding: body[seen..<end], as: UTF8.self)) where e.event == "tick" {
                        guard let r = e.data.range(of: "\"id\":"), let id = Int64(e.data[r.upperBound...].prefix { $0.isNumber }) else { continue }
                        ids.append(id)
                        if let t = e.data.range(of: "\"ts\":\""), let ts = Self.iso.date(from: String(e.data[t.upperBound...].prefix(26)) + "Z") {
                            latencies.append(now.timeIntervalSince(ts))
                        }
                    }
                    seen = end
                }
                if let l = last(), ids.last == l { return }
                if c.closed { break }
            }
            reconnects += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}


/// Resuming clients following a stream on their own threads until told the last id.
final class Followers: @unchecked Sendable {
    let clients: [ResumingClient]
    private let lock = NSLock()
    private var last: Int64?
    private let group = DispatchGroup()

    init(_ count: Int, port: Int, timeout: Double) {
        clients = (0..<count).map { _ in ResumingClient(port: port) }
        for c in clients {
            group.enter()
            Thread.detachNewThread { [self] in
                c.follow(until: { self.lock.lock(); defer { self.lock.unlock() }; return self.last }, timeout: timeout)
                self.group.leave()
            }
        }
    }

    /// Tells every client the newest id and waits until each has it (or timed out).
    func finish(at id: Int64?) {
        lock.lock(); last = id; lock.unlock()
        group.wait()
    }
}

/// Inserts `count` ticks of symbol A, one statement each, `interval` apart,
/// calling `fault(i)` after tick i (where a test kills or restarts things).
func feedTicks(_ url: String, count: Int, interval: Double, fault: (Int) throws -> Void) throws {
    let feed = try PGConnection(url)
    for i in 0..<count {
        try feed.exec("INSERT INTO ticks (symbol, price) VALUES ('A', $1)", [String(i + 1)])
        try fault(i)
        Thread.sleep(forTimeInterval: interval)
    }
}

/// `ticker serve --workers 2` as users run it: a real process tree.
@Suite struct WorkerTests {
    var ticker: String { tickerExecutable }

    @Test func killingOneWorkerMovesItsClientsToTheOthersLosingNothing() throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        let log = NSTemporaryDirectory() + "workers-\(port).log"
        let pool = try ChildProcess([ticker, "serve", "--port", "\(port)", "--workers", "2", "--heartbeat", "1",
                                     "--database-url", db.serverURL, "--log-level", "warning"], log: log)
        defer { pool.terminate() }
        try waitForPort(port)
        Thread.sleep(forTimeInterval: 0.5)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let pids = text.split(separator: "\n").first { $0.hasPrefix("started 2 workers: pids ") }?
            .split(separator: " ").suffix(2).compactMap { Int32($0) } ?? []
        #expect(pids.count == 2)

        let followers = Followers(6, port: port, timeout: 30)
        let clients = followers.clients
        Thread.sleep(forTimeInterval: 0.5)
        try feedTicks(db.feedURL, count: 150, interval: 0.02) { i in
            if i == 50, let victim = pids.first { kill(victim, SIGKILL) }
        }
        let expected = try databaseIDs(db.adminURL)
        followers.finish(at: expected.last)
        for c in clients { #expect(c.ids == expected, "reconnects \(c.reconnects), got \(c.ids.count) of \(expected.count)") }
        #expect(clients.contains { $0.reconnects > 0 }, "some clients were on the killed worker")
        // The pool replaced the dead worker and still serves.
        #expect(try HTTPTestClient.get(port: port, "/health").status == 200)
    }
}

/// `ticker bench` is an instrument: check that it counts right, not how fast anything is.
@Suite struct BenchToolTests {
    /// Streams in this process; long polls spread over two bench processes.
    @Test(arguments: [["--transport", "sse"], ["--transport", "longpoll", "--processes", "2"]])
    func benchCountsEveryTickAsDelivered(_ load: [String]) throws {
        let s = try TestServer(target: TestCluster.database())
        let ticker = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ticker").path
        let (status, out) = try Shell.runStatus([ticker, "bench", "--port", "\(s.port)", "--subscribers", "40", "--symbols", "4",
                                                 "--rate", "50", "--duration", "2", "--json", "--database-url", s.target.adminURL,
                                                 "--server-pid", "\(getpid())"] + load)
        #expect(status == 0, "\(out)")
        #expect(out.contains("\"subscribers\":\"40 of 40 (0 failed)\""))
        #expect(out.contains("\"lost\":\"0\""))
        #expect(out.contains("\"duplicated\":\"0\""))
        let inserted = out.range(of: "\"ticks_inserted\":\"").flatMap { Int(out[$0.upperBound...].prefix { $0.isNumber }) } ?? -1
        #expect(inserted > 0)
        #expect(out.contains("\"received\":\"\(inserted * 10)\""), "\(out)") // 40 subscribers over 4 symbols
        // The bench leaves nothing behind in the user's database (#18 item 8).
        #expect(try databaseIDs(s.target.adminURL).isEmpty)
    }

    /// `--server-pid` of a `ticker serve` with workers reads the workers too:
    /// the supervisor itself delivers nothing, so it alone would read as zero.
    @Test func benchReadsTheCPUAndMemoryOfAServersWorkers() throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        let pool = try ChildProcess([tickerExecutable, "serve", "--port", "\(port)", "--workers", "2",
                                     "--database-url", db.serverURL, "--log-level", "warning"],
                                    log: NSTemporaryDirectory() + "bench-workers-\(port).log")
        defer { pool.terminate() }
        try waitForPort(port)
        let (status, out) = try Shell.runStatus([tickerExecutable, "bench", "--port", "\(port)", "--subscribers", "200", "--symbols", "2",
                                                 "--rate", "50", "--duration", "2", "--json", "--database-url", db.adminURL,
                                                 "--server-pid", "\(pool.pid)"])
        #expect(status == 0, "\(out)")
        #expect(out.contains("\"lost\":\"0\""), "\(out)")
        func figure(_ name: String) -> Double {
            out.range(of: "\"\(name)\":\"").flatMap { Double(out[$0.upperBound...].prefix { $0 != "\"" }) } ?? -1
        }
        #expect(figure("server_cpu_us_per_delivery") > 0, "\(out)")
        #expect(figure("server_rss_kb_per_connection") > 0, "\(out)")
        #expect(figure("server_rss_mb") > 5, "supervisor and two workers: \(out)")
    }
}

/// Running out of file descriptors (LIBEVENT-LIBPQ.md: without an accept error
/// callback the server spins at full CPU writing warnings).
@Suite struct FileDescriptorTests {
    func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return -1 }
        let f = stat[stat.index(after: close)...].split(separator: " ")
        return ((Double(f[11]) ?? 0) + (Double(f[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func outOfFilesTheServerPausesInsteadOfSpinningAndRecovers() throws {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        let ticker = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ticker").path
        let server = try ChildProcess(["prlimit", "--nofile=64", ticker, "serve", "--port", "\(port)", "--workers", "1",
                                       "--database-url", db.serverURL, "--log-level", "error"], log: NSTemporaryDirectory() + "emfile-\(port).log")
        defer { server.terminate() }
        try waitForPort(port)
        var clients: [HTTPTestClient] = []
        for _ in 0..<120 { if let c = try? HTTPTestClient(port: port, path: "/stream?symbols=A") { clients.append(c) } }
        Thread.sleep(forTimeInterval: 0.5)
        let before = cpuSeconds(server.pid)
        Thread.sleep(forTimeInterval: 2)
        let spent = cpuSeconds(server.pid) - before
        #expect(spent >= 0 && spent < 0.5, "the server used \(spent) s of CPU in 2 s while out of files")
        let opened = clients.filter { $0.readUntil(timeout: 0.05) { $0.contains("hello") } }.count
        #expect(opened > 20 && opened < 120, "\(opened) streams opened under a limit of 64 files")
        for c in clients { c.close() }
        clients.removeAll()
        // Accepting resumes once files are free again (the pause is one second).
        var status = 0
        for _ in 0..<30 where status != 200 {
            status = (try? HTTPTestClient.get(port: port, "/health", timeout: 1).status) ?? 0
            if status != 200 { Thread.sleep(forTimeInterval: 0.3) }
        }
        #expect(status == 200)
        let metrics = try HTTPTestClient.get(port: port, "/metrics").body
        #expect(!metrics.contains("ticker_accept_pauses_total 0\n"))
    }
}
