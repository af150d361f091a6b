import Platform
import Foundation
import Glibc
import Postgres

/// A helper program (nginx, chromedriver) started for a test and killed with it.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t

    public init(_ arguments: [String], log: String, environment: [String: String]? = nil) throws {
        do {
            pid = try Spawn.start(arguments, environment: LeftoverProcesses.mark(environment), output: .file(log))
        } catch { throw TestError(error.description) }
        LeftoverProcesses.watch()
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
    public func terminate(grace: Double = 5) {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(50_000)
        }
        stop()
    }

    public func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    deinit { stop() }
}

/// Waits until something accepts connections on `host`:`port`.
public func waitForPort(_ port: Int, host: String = "127.0.0.1", timeout: Double = 10) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let ok = IPv4Endpoint(host: host, port: port).connect(fd)
        Glibc.close(fd)
        if ok { return }
        Thread.sleep(forTimeInterval: 0.05)
    }
    throw TestError("nothing listens on \(host):\(port) after \(timeout) s")
}
