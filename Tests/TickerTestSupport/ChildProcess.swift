import Platform
import Foundation
import Glibc
import Postgres

/// A helper program (nginx, chromedriver) started for a test and killed with it.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t

    public init(_ arguments: [String], log: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var p: pid_t = 0
        Shell.spawnLock.lock()
        let rc = posix_spawnp(&p, arguments[0], &actions, nil, argv, environ)
        Shell.spawnLock.unlock()
        guard rc == 0 else { throw TestError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        pid = p
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

/// Waits until something accepts connections on 127.0.0.1:`port`.
public func waitForPort(_ port: Int, timeout: Double = 10) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let ok = IPv4Endpoint(host: "127.0.0.1", port: port).connect(fd)
        Glibc.close(fd)
        if ok { return }
        Thread.sleep(forTimeInterval: 0.05)
    }
    throw TestError("nothing listens on port \(port) after \(timeout) s")
}
