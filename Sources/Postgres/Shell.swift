import Foundation
import Glibc

/// Runs helper programs (initdb, pg_ctl, psql) and captures what they print.
public enum Shell {
    /// Serialises pipe creation and spawning (see `runStatus`).
    public static let spawnLock = NSLock()

    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public let output: String
        public var description: String {
            let tail = output.split(separator: "\n").suffix(6).joined(separator: "\n")
            return "\(command) exited with status \(status)" + (tail.isEmpty ? "" : ":\n\(tail)")
        }
    }

    /// Runs `arguments` (the first is looked up on PATH) and returns its output; throws on a non-zero exit.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let (status, output) = try runStatus(arguments, environment: environment)
        guard status == 0 else {
            throw Failure(command: arguments.prefix(4).joined(separator: " "), status: status, output: output)
        }
        return output
    }

    /// Runs `arguments` and returns the exit status and combined output.
    /// (posix_spawn and waitpid directly: Foundation's `Process` was seen to
    /// hang in `waitUntilExit` here after `runuser` exited.)
    public static func runStatus(_ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
        var fds: [Int32] = [0, 0]
        // A child spawned by another thread at the same moment (a postmaster,
        // which lives on) must not inherit this pipe and hold it open: the pipe
        // is made close-on-exec, and spawns are serialised so none happens
        // between pipe() and fcntl().
        spawnLock.lock()
        guard pipe(&fds) == 0 else {
            spawnLock.unlock()
            throw Failure(command: arguments.joined(separator: " "), status: -1, output: "pipe failed")
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let envStrings = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = envStrings.map { strdup($0) } + [nil]
        defer { for e in envp { free(e) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        spawnLock.unlock()
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw Failure(command: arguments[0], status: -1, output: "cannot run \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &chunk, chunk.count)
            if n > 0 { output.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, String(decoding: output, as: UTF8.self))
    }
}
