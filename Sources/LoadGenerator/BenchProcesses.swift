import Foundation
import Glibc
import Platform

/// `ticker bench --processes N`: the subscribers spread over N child bench
/// processes, so a run can pass one process's open-file limit (about 19,000
/// connections) and its one loop thread. The parent runs the feed and the report.
///
/// Each child is `ticker bench` itself with `--part P/N --part-output FILE`: it
/// builds the same subscriber paths from the same options, opens its share
/// (subscribers `P*S/N ..< (P+1)*S/N`), says `ready OPENED FAILED`, and on each
/// SIGUSR1 takes the next step: settle (say `settled`), then write its
/// `BenchPartResult` and exit. The two steps are apart so the server's CPU is
/// sampled after the last delivery but before the children close thousands of
/// connections, as a single-process run does.
public final class BenchProcesses: BenchLoad {
    private struct Child {
        let pid: pid_t
        let output: String
        let lines: LineReader
    }
    private let arguments: (_ part: Int) -> [String]
    private let count: Int
    private var children: [Child] = []
    private var openedCount = 0
    private var failedCount = 0
    private var result = BenchPartResult(openedIndexes: [], failed: 0, closed: 0, deliveries: [])

    /// - Parameters:
    ///   - count: how many child processes.
    ///   - arguments: the child's whole command line for part `p` (the executable
    ///     first), without `--part-output`, which this adds.
    public init(count: Int, arguments: @escaping (_ part: Int) -> [String]) {
        self.count = count
        self.arguments = arguments
    }

    /// The subscribers `part` of `parts` opens, out of `total`.
    public static func share(_ part: Int, of parts: Int, total: Int) -> Range<Int> {
        (part * total / parts)..<((part + 1) * total / parts)
    }

    public func open(host: String, port: Int, paths: [String], sources: [String], timeout: Double) -> Double {
        let started = MonotonicClock.now()
        for part in 0..<count {
            let output = NSTemporaryDirectory() + "ticker-bench-\(getpid())-\(part).bin"
            guard let pipe = Spawn.pipe() else { continue }
            defer { Glibc.close(pipe.write) }
            do {
                let pid = try Spawn.start(arguments(part) + ["--part-output", output],
                                          environment: ParentDeath.childEnvironment(), output: .descriptor(pipe.write))
                children.append(Child(pid: pid, output: output, lines: LineReader(fd: pipe.read)))
            } catch {
                FileHandle.standardError.write(Data("ticker: \(error)\n".utf8))
                Glibc.close(pipe.read)
            }
        }
        for child in children {
            // `ready OPENED FAILED`; the child's own complaints pass through to our stderr.
            guard let words = child.lines.waitFor("ready", until: started + timeout + 10) else { continue }
            openedCount += Int(words[1]) ?? 0
            failedCount += Int(words[2]) ?? 0
        }
        return MonotonicClock.now() - started
    }

    public var opened: Int { openedCount }
    public var failed: Int { stopped ? result.failed : failedCount }
    public var closed: Int { result.closed }
    public var openedIndexes: [Int] { result.openedIndexes }
    private var stopped = false

    /// Each child settles on its own (it was given `--quiet`); `quiet` bounds the wait.
    public func settle(quiet: Double) {
        for child in children { kill(child.pid, SIGUSR1) }
        for child in children { _ = child.lines.waitFor("settled", until: MonotonicClock.now() + 120 + quiet) }
    }

    public func stop() -> [BenchSubscribers.Delivery] {
        for child in children { kill(child.pid, SIGUSR1) }
        for child in children {
            let status = Spawn.wait(child.pid)
            child.lines.close()
            defer { unlink(child.output) }
            guard status == 0, let part = try? BenchPartResult(contentsOf: child.output) else {
                FileHandle.standardError.write(Data("ticker: bench process \(child.pid) ended with status \(status); its subscribers count as lost\n".utf8))
                continue
            }
            result.openedIndexes += part.openedIndexes
            result.failed += part.failed
            result.closed += part.closed
            result.deliveries += part.deliveries
        }
        stopped = true
        return result.deliveries
    }
}

/// Lines from a child's output pipe, read with a deadline.
final class LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// Reads lines until one starts with `word` (returned split in words) or
    /// `deadline` passes or the pipe ends; other lines go to our stderr.
    func waitFor(_ word: String, until deadline: Double) -> [String]? {
        while true {
            while let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                let words = line.split(separator: " ").map(String.init)
                if words.first == word { return words }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            let left = deadline - MonotonicClock.now()
            guard left > 0 else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(left, 1) * 1000)) >= 0 || errno == EINTR else { return nil }
            guard p.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return nil }
            buffer += chunk[..<n]
        }
    }

    func close() { Glibc.close(fd) }
}
