import Foundation

/// Finds the project's top-level folders (`Schema/`, `Public/`) at run time:
/// an environment override, the current folder and its parents, the folders
/// above the executable (`.build/debug/ticker` sits two below the checkout),
/// then the installed copy under /usr/share/ticker (the Docker image).
public enum ResourceLocator {
    public static func directory(named name: String, environmentOverride: String) -> URL? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if let path = ProcessInfo.processInfo.environment[environmentOverride], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        starts.append(exe.deletingLastPathComponent())
        if let bundle = Bundle.main.executableURL { starts.append(bundle.deletingLastPathComponent()) }
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent(name, isDirectory: true)
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), isDir.boolValue,
                   fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        let installed = URL(fileURLWithPath: "/usr/share/ticker/\(name)", isDirectory: true)
        if fm.fileExists(atPath: installed.path) { return installed }
        return nil
    }

    /// The `Schema/` folder of migrations.
    public static func schema() throws -> URL {
        guard let url = directory(named: "Schema", environmentOverride: "TICKER_SCHEMA_DIR") else {
            throw PGError("cannot find the Schema/ folder; run from the checkout or set TICKER_SCHEMA_DIR")
        }
        return url
    }
}
