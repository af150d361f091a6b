import CProcess
import Foundation
import Glibc

/// The one way this project starts another program (`psql`, `pg_ctl`, server
/// workers, test helpers), so every child starts clean.
///
/// A child inherits its parent's signal mask and ignored signals through
/// `posix_spawn` and `exec`. A server worker started by a thread that had
/// SIGTERM blocked (as a signal source does) or ignored (as the worker pool
/// does while it forwards signals) could not be stopped by `kill`. So every
/// spawn empties the child's signal mask and resets every signal to its default
/// action (`POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF`).
public enum Spawn {
    /// Serialises spawns with the creation of inheritable descriptors elsewhere,
    /// so no child holds a pipe meant for another.
    public static let lock = NSLock()

    /// Where the child's standard output and error go.
    public enum Output: Sendable {
        /// This process's own.
        case inherit
        /// Appended to this file (created if missing).
        case file(String)
        /// This descriptor (e.g. a pipe's write end), duplicated onto 1 and 2.
        case descriptor(Int32)
    }

    /// Why a program could not be started; `description` is one line.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `arguments` with standard input from /dev/null and returns its pid.
    /// - Parameters:
    ///   - executable: the program file; nil looks `arguments[0]` up on PATH.
    ///   - environment: the child's environment; nil passes this process's.
    public static func start(_ arguments: [String], executable: String? = nil,
                             environment: [String: String]? = nil, output: Output = .inherit) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .inherit: break
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .descriptor(let fd):
            posix_spawn_file_actions_adddup2(&actions, fd, 1)
            posix_spawn_file_actions_adddup2(&actions, fd, 2)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var every = sigset_t()
        sigfillset(&every)
        posix_spawnattr_setsigdefault(&attributes, &every)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { env in env.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for e in envp ?? [] { free(e) } }

        var pid: pid_t = 0
        lock.lock()
        let rc: Int32
        if let envp {
            rc = spawn(&pid, executable, arguments[0], &actions, &attributes, argv, envp)
        } else {
            rc = spawn(&pid, executable, arguments[0], &actions, &attributes, argv, environ)
        }
        lock.unlock()
        guard rc == 0 else { throw Failure(description: "cannot run \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    private static func spawn(_ pid: inout pid_t, _ executable: String?, _ name: String,
                              _ actions: inout posix_spawn_file_actions_t, _ attributes: inout posix_spawnattr_t,
                              _ argv: [UnsafeMutablePointer<CChar>?], _ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
        if let executable { return posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        return posix_spawnp(&pid, name, &actions, &attributes, argv, envp)
    }

    /// A pipe whose ends are close-on-exec from the start (hand the write end
    /// to a child as `.descriptor`): a child spawned by another thread at the
    /// same moment cannot inherit it and hold it open.
    public static func pipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [0, 0]
        guard cprocess_pipe_cloexec(&fds) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// Waits for `pid` and returns its exit status, or 128 + the signal that ended it (as a shell does).
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitCode(status)
    }

    /// A `waitpid` status as a shell shows it: the exit code, or 128 + signal.
    public static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
