import Foundation
import Postgres

/// Headless Chromium driven through chromedriver's WebDriver protocol: the
/// real browser users meet, with the flags it needs as root in CI.
public final class Browser: @unchecked Sendable {
    private let driver: ChildProcess
    private let port: Int
    private let session: String

    /// - Parameters:
    ///   - javaScript: false turns page scripts off (Chromium's content setting), as
    ///     for a locked-down browser; WebDriver's own scripts still run.
    ///   - pageLoadStrategy: `eager` returns from `open` at DOMContentLoaded, for pages
    ///     whose load never ends (an `<img>` of a server-push stream).
    public init(javaScript: Bool = true, pageLoadStrategy: String = "normal") throws {
        port = try LocalCluster.freePort()
        driver = try ChildProcess(["chromedriver", "--port=\(port)"], log: NSTemporaryDirectory() + "chromedriver-\(port).log")
        try waitForPort(port)
        var options: [String: Any] = [
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,860"],
        ]
        if !javaScript { options["prefs"] = ["profile.managed_default_content_settings.javascript": 2] }
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "pageLoadStrategy": pageLoadStrategy,
            "goog:chromeOptions": options,
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
        try Data(screenshotPNG()).write(to: URL(fileURLWithPath: path))
    }

    /// The page as PNG bytes.
    public func screenshotPNG() throws -> [UInt8] {
        try Self.png(Self.call(port, "GET", "/session/\(session)/screenshot", nil))
    }

    /// The first element matching `selector`, as PNG bytes.
    public func screenshotPNG(of selector: String) throws -> [UInt8] {
        let found = try Self.call(port, "POST", "/session/\(session)/element", ["using": "css selector", "value": selector])
        guard let ref = found["value"] as? [String: Any], let id = ref.values.first as? String else {
            throw TestError("no element \(selector): \(found)")
        }
        return try Self.png(Self.call(port, "GET", "/session/\(session)/element/\(id)/screenshot", nil))
    }

    static func png(_ r: [String: Any]) throws -> [UInt8] {
        guard let b64 = r["value"] as? String, let data = Data(base64Encoded: b64) else { throw TestError("no screenshot: \(r)") }
        return [UInt8](data)
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
