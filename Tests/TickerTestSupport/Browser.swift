import Foundation
import Postgres

/// Headless Chromium driven through chromedriver's WebDriver protocol: the
/// real browser users meet, with the flags it needs as root in CI.
public final class Browser: @unchecked Sendable {
    private let driver: ChildProcess
    private let port: Int
    private let session: String

    public init() throws {
        port = try LocalCluster.freePort()
        driver = try ChildProcess(["chromedriver", "--port=\(port)"], log: NSTemporaryDirectory() + "chromedriver-\(port).log")
        try waitForPort(port)
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,860"],
            ],
        ]]]
        let r = try Self.call(port, "POST", "/session", caps)
        guard let value = r["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw TestError("chromedriver gave no session: \(r)")
        }
        session = id
    }

    deinit {
        _ = try? Self.call(port, "DELETE", "/session/\(session)", nil)
        driver.stop()
    }

    public func open(_ url: String) throws {
        _ = try Self.call(port, "POST", "/session/\(session)/url", ["url": url])
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    @discardableResult
    public func run(_ script: String) throws -> Any? {
        let r = try Self.call(port, "POST", "/session/\(session)/execute/sync", ["script": script, "args": []])
        if let v = r["value"] as? [String: Any], let e = v["error"] as? String { throw TestError("script error \(e): \(v["message"] ?? "")") }
        return r["value"]
    }

    /// Polls `script` until it returns true, for up to `timeout` seconds.
    public func waitFor(_ script: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? run(script)) as? Bool == true { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    public func text(_ selector: String) throws -> String? {
        try run("var e = document.querySelector(\(jsString(selector))); return e ? e.textContent : null;") as? String
    }

    public func screenshot(to path: String) throws {
        let r = try Self.call(port, "GET", "/session/\(session)/screenshot", nil)
        guard let b64 = r["value"] as? String, let data = Data(base64Encoded: b64) else { throw TestError("no screenshot") }
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func call(_ port: Int, _ method: String, _ path: String, _ body: Any?) throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n" + String(decoding: payload, as: UTF8.self)
        let c = try HTTPTestClient(port: port, path: path, rawRequest: request)
        c.readUntil(timeout: 60) { _ in false }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(c.body)) as? [String: Any] else {
            throw TestError("chromedriver answered \(c.status): \(c.text.prefix(200))")
        }
        return obj
    }
}

func jsString(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s])
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}
