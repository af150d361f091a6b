import Foundation

/// Tests/python/ws_client.py (the `websockets` package, a third-party client)
/// as a child process: the tick ids it prints, and its log of everything else
/// (hello, snapshots, closes, reconnects).
public final class PythonWebSocketClient: Polled, @unchecked Sendable {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv's python (Tests/python/venv.sh creates it once; bin/test does it first).
    public static let python: String = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("Tests/python/venv.sh").path]
        let out = Pipe()
        p.standardOutput = out
        try? p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    private let process: ChildProcess
    private let outPath: String
    private let errPath: String

    /// Connects to ws://127.0.0.1:`port`/ws with `symbols` and the script's other `arguments`.
    public init(port: Int, symbols: String, _ arguments: [String] = []) throws {
        let name = NSTemporaryDirectory() + "ws-client-\(port)-\(UUID().uuidString.prefix(8))"
        outPath = name + ".out"
        errPath = name + ".err"
        let script = Self.root.appendingPathComponent("Tests/python/ws_client.py").path
        let command = ([Self.python, script, "--url", "ws://127.0.0.1:\(port)/ws", "--symbols", symbols] + arguments)
            .map { "'\($0)'" }.joined(separator: " ")
        process = try ChildProcess(["/bin/sh", "-c", "exec \(command) 2>'\(errPath)'"], log: outPath)
    }

    /// Every tick id printed so far, in order.
    public var ids: [Int64] {
        ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int64($0) }
    }

    /// The newest id printed (cheap: only the file's last line is parsed).
    public var lastID: Int64? {
        guard let data = FileManager.default.contents(atPath: outPath) else { return nil }
        let tail = data.suffix(64).split(separator: UInt8(ascii: "\n")).last
        return tail.flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
    }

    /// Everything but the ids: one line per event, close and reconnect.
    public var log: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// The cursor of its first `hello`.
    public var helloCursor: Int64? {
        guard let line = log.split(separator: "\n").first(where: { $0.hasPrefix("hello ") }),
              let r = line.range(of: "\"cursor\":") else { return nil }
        return Int64(line[r.upperBound...].prefix { $0.isNumber })
    }

    public func stop() { process.terminate(grace: 2) }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
}
