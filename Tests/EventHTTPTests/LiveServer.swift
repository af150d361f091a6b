import EventHTTP
import Foundation
import Logging
import Synchronization

/// A real `HTTPServer` on its own loop thread, with `GET /ws` upgraded by
/// `WebSocketStream` (echoing text as `echo:TEXT`, closing on `close`) and
/// every other path answering `ok`. Counts streams opened and closed, so a
/// test sees that every connection was freed, including by `evhttp_free`.
final class LiveServer: @unchecked Sendable {
    /// Written on the loop thread before `ready` is signalled, read after.
    private(set) var port = 0
    private var stopEvent: WakeUp?
    let opened = Mutex(0)
    let closed = Mutex(0)
    private let ready = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(configuration: WebSocketStream.Configuration = .init()) {
        Thread { [self] in serve(configuration) }.start()
        ready.wait()
    }

    /// Stops the loop and frees the server (and with it every open connection).
    func stop() {
        stopEvent?.signal()  // thread-safe: an eventfd write
        done.wait()
    }

    /// Waits (up to 5 s) until `count` streams have been freed; returns how many were.
    func waitClosed(_ count: Int) -> Int {
        for _ in 0..<500 where closed.withLock({ $0 }) < count { usleep(10_000) }
        return closed.withLock { $0 }
    }

    private func serve(_ configuration: WebSocketStream.Configuration) {
        let loop = EventLoop()
        var server: HTTPServer? = HTTPServer(loop: loop, requestTimeout: 5, maxHeaderBytes: 8192,
                                             logger: Logger(label: "test"))
        server?.handler = { [self] request in route(request, configuration) }
        port = try! server!.bind(host: "127.0.0.1", port: 0)
        stopEvent = loop.wakeUp { loop.stop() }
        ready.signal()
        loop.run()
        server = nil
        stopEvent = nil
        done.signal()
    }

    private func route(_ request: HTTPRequest, _ configuration: WebSocketStream.Configuration) {
        guard request.path == "/ws" else { return request.respond(200, contentType: "text/plain", text: "ok") }
        switch WebSocketStream.upgrade(request, allowedOrigins: ["*"], configuration: configuration) {
        case .failure(let rejection):
            for header in rejection.headers { request.setHeader(header.name, header.value) }
            request.respond(rejection.status, contentType: "text/plain", text: rejection.reason)
        case .success(let ws):
            opened.withLock { $0 += 1 }
            ws.onEvent = { [unowned ws] event in
                guard case .text(let text) = event else { return }
                switch text {
                case "close": ws.close(code: 1000, reason: "asked")
                case "frames": Self.sendMixed(ws)
                default: ws.sendText("echo:" + text)
                }
            }
            ws.onClosed = { [self] in closed.withLock { $0 += 1 } }
            ws.start()
        }
    }
}

extension LiveServer {
    /// "a" through wslay, "b" and "c" as shared frames in one gather, "d" through wslay.
    static func sendMixed(_ ws: WebSocketStream) {
        ws.sendText("a")
        var b = WebSocketFrame.text(Array("b".utf8)), c = WebSocketFrame.text(Array(String(repeating: "c", count: 70_000).utf8))
        b.withUnsafeMutableBytes { b in
            c.withUnsafeMutableBytes { c in
                var parts = [iovec(iov_base: b.baseAddress, iov_len: b.count), iovec(iov_base: c.baseAddress, iov_len: c.count)]
                parts.withUnsafeMutableBufferPointer { _ = ws.sendFrames($0) }
            }
        }
        ws.sendText("d")
    }
}

/// A blocking TCP client for byte-exact exchanges (5 s receive timeout, so a
/// broken server fails the test instead of hanging it).
final class RawClient {
    let fd: Int32
    private(set) var received: [UInt8] = []

    init(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(rc == 0, "connect failed")
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// An upgrade request for /ws; `override` replaces or (value nil) removes headers.
    static func upgradeRequest(_ override: [String: String?] = [:]) -> [UInt8] {
        var headers: [(String, String)] = [("Host", "127.0.0.1"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                           ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]
        for (name, value) in override {
            headers.removeAll { $0.0 == name }
            if let value { headers.append((name, value)) }
        }
        return Array(("GET /ws HTTP/1.1\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n").utf8)
    }

    /// Reads until the end of the response head; returns it, keeps what follows.
    func readHead() -> String {
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = received.firstRange(of: end) {
                let head = String(decoding: received[..<range.lowerBound], as: UTF8.self)
                received.removeSubrange(..<range.upperBound)
                return head
            }
            guard readSome() else { return String(decoding: received, as: UTF8.self) }
        }
    }

    /// Reads until `count` whole frames have arrived (or the server closed).
    func readFrames(_ count: Int) -> [Frames.Frame] {
        while (Frames.server(received)?.count ?? 0) < count, readSome() {}
        return Frames.server(received) ?? []
    }

    /// Reads until the server closes (or 5 s of silence); returns what followed the head.
    func readToEnd() -> [UInt8] {
        while readSome() {}
        return received
    }

    private func readSome() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        received += chunk[..<n]
        return true
    }
}
