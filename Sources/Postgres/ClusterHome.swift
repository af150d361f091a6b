import Foundation

/// Where the local cluster's home folder is, found the same way from any
/// folder, so a script run elsewhere (`.build/debug/ticker db url` from /tmp,
/// the README's Python snippet) reaches the database `ticker up` started.
///
/// In order: `TICKER_HOME` (relative to the current folder); the nearest
/// `.ticker/` in the current folder or above it; the checkout holding this
/// `ticker` executable (`.build/debug/ticker` sits two below it); else
/// `.ticker/` in the current folder (where the first `ticker up` creates it).
public struct ClusterHome: Equatable, Sendable {
    public let url: URL
    /// How it was found, for `ticker db status`.
    public let reason: String

    public init(url: URL, reason: String) {
        self.url = url
        self.reason = reason
    }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
                              executable: URL? = Bundle.main.executableURL) -> ClusterHome {
        let fm = FileManager.default
        if let env = environment["TICKER_HOME"], !env.isEmpty {
            let url = URL(fileURLWithPath: env, isDirectory: true, relativeTo: currentDirectory).standardizedFileURL
            return ClusterHome(url: url, reason: "TICKER_HOME")
        }
        func isDirectory(_ url: URL) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
        }
        var dir = currentDirectory.standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent(".ticker", isDirectory: true)
            if isDirectory(candidate) {
                return ClusterHome(url: candidate, reason: dir == currentDirectory.standardizedFileURL ? "found in the current folder" : "found above the current folder")
            }
            if dir.path == "/" { break }
            dir = dir.deletingLastPathComponent()
        }
        if let exe = executable?.resolvingSymlinksInPath() {
            var dir = exe.deletingLastPathComponent()
            for _ in 0..<6 {
                if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
                   isDirectory(dir.appendingPathComponent("Schema")) {
                    return ClusterHome(url: dir.appendingPathComponent(".ticker", isDirectory: true), reason: "the checkout of this ticker executable")
                }
                if dir.path == "/" { break }
                dir = dir.deletingLastPathComponent()
            }
        }
        return ClusterHome(url: currentDirectory.appendingPathComponent(".ticker", isDirectory: true).standardizedFileURL,
                           reason: "default: .ticker in the current folder")
    }
}
