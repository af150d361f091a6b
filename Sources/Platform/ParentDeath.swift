import CProcess
import Foundation
import Glibc

/// Ties a child's life to its parent's: a server worker must not outlive the
/// pool that started it (re-parented to init, serving a database that is gone).
public enum ParentDeath {
    /// The environment variable through which a parent tells its child its pid.
    public static let parentVariable = "TICKER_PARENT_PID"

    /// Asks the kernel to send `signal` to this process when its parent exits,
    /// and exits at once if the parent named in `TICKER_PARENT_PID` is already
    /// gone (it may have died before this call). Call it first thing in a child.
    public static func follow(signal: Int32 = SIGTERM) {
        _ = cprocess_set_parent_death_signal(signal)
        let expected = ProcessInfo.processInfo.environment[parentVariable].flatMap { pid_t($0) }
        if let expected, getppid() != expected { exit(0) }
    }

    /// This process's environment plus `TICKER_PARENT_PID`, for a child that calls `follow()`.
    public static func childEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env[parentVariable] = String(getpid())
        return env
    }
}
