import Foundation
import Glibc
import Platform

/// `ticker serve --workers N`: N server processes sharing the port with
/// SO_REUSEPORT, each with its own LISTEN connection and cursor: the same shape
/// as N servers behind a load balancer. The parent only starts them, forwards
/// SIGTERM/SIGINT, and restarts a worker that dies, so the port keeps serving
/// (its clients reconnect to the others and resume by cursor).
struct WorkerPool {
    let count: Int
    /// The worker's command line: this executable with `--worker`; each also
    /// gets `--worker-index i` (worker 0 keeps the Bayeux sessions), kept
    /// when a dead worker is replaced.
    let arguments: [String]

    func run() -> Never {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        var workers: [pid_t] = []
        for i in 0..<count { workers.append(spawn(index: i)) }
        say("started \(count) workers: pids \(workers.map(String.init).joined(separator: " "))")

        var stopping = false
        let signals = DispatchSource.makeSignalSource(signal: SIGTERM)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT)
        nonisolated(unsafe) var stopRequested = false
        for s in [signals, interrupts] {
            s.setEventHandler { stopRequested = true }
            s.resume()
        }
        while !workers.isEmpty {
            if stopRequested && !stopping {
                stopping = true
                for p in workers { kill(p, SIGTERM) }
            }
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0, let i = workers.firstIndex(of: pid) {
                workers[i] = 0
                if stopping {
                    workers.removeAll { $0 == 0 }
                } else {
                    let replacement = spawn(index: i)
                    workers[i] = replacement
                    say("worker \(pid) exited (status \(status)); started \(replacement)")
                }
            } else {
                usleep(100_000)
            }
        }
        exit(0)
    }

    /// Starts a worker: a clean signal state (`Spawn`), and told our pid so it
    /// can ask to die with us (`ParentDeath.follow()` in `Serve.run`).
    private func spawn(index: Int) -> pid_t {
        do {
            return try Spawn.start(arguments + ["--worker-index", "\(index)"], executable: "/proc/self/exe", environment: ParentDeath.childEnvironment())
        } catch { die("cannot start a worker: \(error)") }
    }
}
