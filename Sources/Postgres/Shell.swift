import Foundation
import Glibc
import Platform

/// Runs helper programs (initdb, pg_ctl, psql) and captures what they print.
public enum Shell {
    /// Serialises spawning with descriptor creation (`Spawn.lock`).
    public static var spawnLock: NSLock { Spawn.lock }

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
    /// (`Spawn` and waitpid directly: Foundation's `Process` was seen to
    /// hang in `waitUntilExit` here after `runuser` exited.)
    public static func runStatus(_ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
        // Close-on-exec from the start: a child spawned by another thread at the
        // same moment (a postmaster, which lives on) must not hold this pipe open.
        guard let (readEnd, writeEnd) = Spawn.pipe() else {
            throw Failure(command: arguments.joined(separator: " "), status: -1, output: "pipe failed")
        }
        let fds = [readEnd, writeEnd]
        let pid: pid_t
        do {
            pid = try Spawn.start(arguments, environment: environment, output: .descriptor(fds[1]))
        } catch {
            close(fds[0]); close(fds[1])
            throw Failure(command: arguments[0], status: -1, output: error.description)
        }
        close(fds[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &chunk, chunk.count)
            if n > 0 { output.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(fds[0])
        return (Spawn.wait(pid), String(decoding: output, as: UTF8.self))
    }
}
