import Foundation

/// A third-party Bayeux client from PyPI as a child process:
/// Tests/python/bayeux_client.py (aiocometd-ng, long-polling or websocket)
/// or Tests/python/baiocas_client.py (baiocas, long-polling). Both print
/// "<tick id> <channel>" per delivered tick, and their other events to a log.
public final class PythonBayeuxClient: Polled, @unchecked Sendable {
    public enum Library: String, Sendable {
        case aiocometd = "bayeux_client.py"
        case baiocas = "baiocas_client.py"
    }

    private let process: ChildProcess
    private let outPath: String
    private let errPath: String

    /// Connects to http://127.0.0.1:`port`/cometd and subscribes to `channels`.
    public init(_ library: Library, port: Int, channels: [String], _ arguments: [String] = []) throws {
        let name = NSTemporaryDirectory() + "bayeux-client-\(port)-\(UUID().uuidString.prefix(8))"
        outPath = name + ".out"
        errPath = name + ".err"
        let script = PythonWebSocketClient.root.appendingPathComponent("Tests/python/\(library.rawValue)").path
        let command = ([PythonWebSocketClient.python, script, "--url", "http://127.0.0.1:\(port)/cometd",
                        "--subscribe", channels.joined(separator: ",")] + arguments)
            .map { "'\($0)'" }.joined(separator: " ")
        process = try ChildProcess(["/bin/sh", "-c", "exec \(command) 2>'\(errPath)'"], log: outPath)
    }

    /// Every delivered tick so far, in order: its id and the channel it came on.
    public var deliveries: [(id: Int64, channel: String)] {
        ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let id = Int64(parts[0]) else { return nil }
            return (id, String(parts[1]))
        }
    }

    public var ids: [Int64] { deliveries.map(\.id) }

    /// Everything but the ticks (subscribed, unsubscribed, errors).
    public var log: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    public func stop() { process.terminate(grace: 2) }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
}
