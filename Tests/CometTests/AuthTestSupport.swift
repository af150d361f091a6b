import Foundation
import Logging
import TickerTestSupport

/// Tokens for the end-to-end tests, minted by PyJWT (Tests/python/mint_token.py)
/// or forged the ways a server must refuse, with keys made for the test.
struct TokenMint {
    let folder: URL
    /// The HS256 secret file a server is started with.
    var secretFile: String { folder.appendingPathComponent("secret").path }
    var rsaPrivate: String { folder.appendingPathComponent("rsa.pem").path }
    var rsaPublic: String { folder.appendingPathComponent("rsa.pub.pem").path }

    init() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ticker-auth-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (UUID().uuidString + UUID().uuidString + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
    }

    /// An RSA key pair (openssl), for the RS256 server.
    func makeRSAKeys() throws {
        _ = try Self.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsaPrivate])
        _ = try Self.run(["openssl", "pkey", "-in", rsaPrivate, "-pubout", "-out", rsaPublic])
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Claims with `ticker` entitlements and optional times (seconds from now).
    static func claims(realtime: [String] = [], delayed: [String] = [], expiresIn: Double? = 600, notBeforeIn: Double? = nil) -> String {
        var c: [String: Any] = ["sub": "test", "ticker": ["realtime": realtime, "delayed": delayed]]
        if let expiresIn { c["exp"] = Int(now() + expiresIn) }
        if let notBeforeIn { c["nbf"] = Int(now() + notBeforeIn) }
        return String(decoding: try! JSONSerialization.data(withJSONObject: c), as: UTF8.self)
    }

    func hs256(_ claims: String, secret: String? = nil) throws -> String {
        try mint(["--key", secret ?? secretFile, "--alg", "HS256", "--claims", claims])
    }

    func none(_ claims: String) throws -> String { try mint(["--alg", "none", "--claims", claims]) }
    func rs256(_ claims: String) throws -> String { try mint(["--rsa-private", rsaPrivate, "--claims", claims]) }
    /// HS256 keyed with the RSA public key's PEM: the HS/RS confusion attack.
    func confused(_ claims: String) throws -> String { try mint(["--confuse-with", rsaPublic, "--claims", claims]) }

    private func mint(_ arguments: [String]) throws -> String {
        let script = PythonWebSocketClient.root.appendingPathComponent("Tests/python/mint_token.py").path
        return try Self.run([PythonWebSocketClient.python, script] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func run(_ command: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TestError("\(command[0]) failed: \(problem.prefix(300))") }
        return text
    }
}

/// Every log line a server writes, kept for checks (no token may appear).
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var logger: Logger {
        var l = Logger(label: "test.auth") { _ in Handler(recorder: self) }
        l.logLevel = .debug
        return l
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            recorder.append("\(level) \(message) \(metadata ?? [:]) \(self.metadata)")
        }
    }
}
