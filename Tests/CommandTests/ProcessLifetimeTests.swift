import Foundation
import Glibc
import Postgres
import Testing
import TickerTestSupport

/// `ticker serve --workers 2` as a process tree: every process in it stops on
/// SIGTERM, and no worker outlives its pool. (Workers once inherited a blocked
/// or ignored SIGTERM and ran on for hours, re-parented to init.)
@Suite struct ProcessLifetimeTests {
    /// True once `pid` has exited (gone, or a zombie nobody reaped yet).
    static func isGone(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    static func waitGone(_ pids: [pid_t], timeout: Double = 10) -> [pid_t] {
        let deadline = Date().addingTimeInterval(timeout)
        var alive = pids
        while !alive.isEmpty && Date() < deadline {
            alive = alive.filter { !isGone($0) }
            if !alive.isEmpty { usleep(50_000) }
        }
        return alive
    }

    /// A pool on a free port, and the pids of its first two workers.
    func startPool() throws -> (pool: ChildProcess, workers: [pid_t], log: String) {
        let db = try TestCluster.database()
        let port = try LocalCluster.freePort()
        let log = NSTemporaryDirectory() + "pool-\(port).log"
        let pool = try ChildProcess([TickerCommand.path, "serve", "--port", "\(port)", "--workers", "2",
                                     "--database-url", db.serverURL, "--log-level", "warning"], log: log)
        try waitForPort(port)
        let workers = try #require(Self.line(in: log, startingWith: "started 2 workers: pids ", timeout: 10))
            .split(separator: " ").suffix(2).compactMap { pid_t($0) }
        #expect(workers.count == 2)
        return (pool, workers, log)
    }

    static func line(in log: String, startingWith prefix: String, timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            usleep(50_000)
        }
        return nil
    }

    @Test func sigtermToThePoolStopsEveryWorker() throws {
        let (pool, workers, _) = try startPool()
        defer { pool.stop() }
        kill(pool.pid, SIGTERM)
        #expect(Self.waitGone([pool.pid] + workers) == [], "still running after SIGTERM to the pool")
    }

    @Test func workersDieWithAPoolKilledBySigkill() throws {
        let (pool, workers, _) = try startPool()
        defer { for w in workers { kill(w, SIGKILL) } }
        kill(pool.pid, SIGKILL)
        pool.stop()
        #expect(Self.waitGone(workers) == [], "workers outlived their pool")
    }

    @Test func aReplacementWorkerStopsOnSigterm() throws {
        let (pool, workers, log) = try startPool()
        defer { pool.terminate() }
        kill(workers[0], SIGKILL)
        let started = try #require(Self.line(in: log, startingWith: "worker \(workers[0]) exited", timeout: 10))
        let replacement = try #require(started.split(separator: " ").last.flatMap { pid_t($0) })
        usleep(500_000) // past its start-up, into its serving loop
        kill(replacement, SIGTERM)
        #expect(Self.waitGone([replacement]) == [], "the replacement worker ignored SIGTERM")
    }

    @Test func aSpawnedChildStartsWithNoSignalBlockedOrIgnored() throws {
        // Block and ignore SIGTERM here, as the pool does, then look at a child.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let (status, output) = try Shell.runStatus(["grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"])
        #expect(status == 0)
        // Bits of signals 1-31 (glibc itself ignores its internal 32 and 33 in a new child).
        func mask(_ name: String) -> UInt64? {
            output.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        }
        #expect(mask("SigBlk").map { $0 & 0x7fff_ffff } == 0, "\(output)")
        #expect(mask("SigIgn").map { $0 & 0x7fff_ffff } == 0, "\(output)")
    }

    @Test func theSuiteSeesTheProcessesItStarted() throws {
        // What the exit check (`LeftoverProcesses`) relies on: a helper and its
        // children carry the run's mark until they end.
        let shell = try ChildProcess(["sh", "-c", "sleep 30 & sleep 30"], log: "/dev/null")
        usleep(200_000)
        let seen = LeftoverProcesses.survivors()
        #expect(seen.contains { $0.pid == shell.pid })
        #expect(seen.contains { $0.command == "sleep 30" })
        for p in seen where p.command == "sleep 30" { kill(p.pid, SIGKILL) }
        shell.stop()
        #expect(!LeftoverProcesses.survivors().contains { $0.pid == shell.pid })
    }
}
