import Foundation
import Glibc

/// Checks, when the test process exits, that no process the tests started is
/// still alive: a worker re-parented to init or a helper's child would
/// otherwise outlive the suite unnoticed.
///
/// Every `ChildProcess` gets `TICKER_TEST_RUN=<our pid>` in its environment,
/// which its own children inherit; at exit the survivors are found by that
/// mark in `/proc/*/environ`, listed, killed, and the run fails (exit 1).
public enum LeftoverProcesses {
    static let variable = "TICKER_TEST_RUN"
    nonisolated(unsafe) private static var installed = false
    private static let lock = NSLock()

    /// `environment` (default: ours) with the mark added.
    static func mark(_ environment: [String: String]?) -> [String: String] {
        var env = environment ?? ProcessInfo.processInfo.environment
        env[variable] = String(getpid())
        return env
    }

    /// Installs the exit check once.
    static func watch() {
        lock.lock(); defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        atexit { LeftoverProcesses.checkAtExit() }
    }

    /// Processes alive now that carry this test run's mark.
    public static func survivors() -> [(pid: pid_t, command: String)] {
        let mark = Array("\(variable)=\(getpid())".utf8)
        let me = getpid()
        var found: [(pid_t, String)] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != me,
                  let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            guard env.split(separator: 0).contains(where: { Array($0) == mark }) else { continue }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { continue } // a zombie is gone
            let cmd = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            found.append((pid, cmd))
        }
        return found
    }

    private static func checkAtExit() {
        var left = survivors()
        var waited = 0
        while !left.isEmpty && waited < 100 { // up to 10 s for processes still shutting down
            usleep(100_000)
            waited += 1
            left = survivors()
        }
        guard !left.isEmpty else { return }
        var text = "error: \(left.count) process(es) started by the tests are still running:\n"
        for p in left {
            text += "  \(p.pid) \(String(p.command.prefix(200)))\n"
            kill(p.pid, SIGKILL)
        }
        FileHandle.standardError.write(Data(text.utf8))
        TestCluster.destroyAll() // _exit skips the other exit handlers, this one included
        _exit(1)
    }
}
