import Foundation
import Glibc

/// CPU seconds and resident memory of the server's processes, from /proc.
struct ServerSample {
    var cpuSeconds = 0.0
    var rssKB = 0

    init(pids: [Int32]) {
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        for pid in pids {
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
}
