import Foundation
import Glibc

/// CPU seconds and resident memory of the server's processes, from /proc:
/// the given ones and their descendants, so that `--server-pid` of a
/// `ticker serve` counts its workers (and an nginx master's, its workers).
struct ServerSample {
    var cpuSeconds = 0.0
    var rssKB = 0

    init(pids: [Int32]) {
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        for pid in Self.withDescendants(pids) {
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")") {
                let f = stat[stat.index(after: close)...].split(separator: " ")
                // After the command: state is field 3; utime and stime are fields 14 and 15.
                cpuSeconds += (Double(f[11]) ?? 0) / tick + (Double(f[12]) ?? 0) / tick
            }
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) {
                rssKB += Int(line.split(separator: " ")[1]) ?? 0
            }
        }
    }

    /// `pids` and every process below them, each once.
    static func withDescendants(_ pids: [Int32]) -> [Int32] {
        var all: [Int32] = []
        var next = pids
        while let pid = next.popLast() {
            guard !all.contains(pid) else { continue }
            all.append(pid)
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            for task in tasks {
                let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
                next += children.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
        }
        return all
    }
}
