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

    /// Routes on the loop thread; nil: the echo routes above.
    private let handler: ((HTTPRequest) -> Void)?

    init(configuration: WebSocketStream.Configuration = .init(), handler: ((HTTPRequest) -> Void)? = nil) {
        self.handler = handler
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
        server?.handler = { [self] request in
            if let handler { handler(request) } else { route(request, configuration) }
        }
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
