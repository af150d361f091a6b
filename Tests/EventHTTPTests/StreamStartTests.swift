import EventHTTP
import Foundation
import Glibc
import Synchronization
import Testing
import TickerTestSupport

/// `HTTPRequest.startStream` drops both header lists (a stream holds them for
/// hours) but keeps what evhttp reads again when the reply ends.
@Suite struct StreamStartTests {
    /// What the handler saw of the request's headers, before and after starting.
    final class Seen: Sendable {
        let probe = Mutex<(before: String?, after: String?)>((nil, nil))
    }

    func server(_ seen: Seen) -> LiveServer {
        LiveServer { req in
            let before = req.header("X-Probe")
            req.setHeader("Content-Type", "text/plain")
            req.startStream(writeTimeout: 5)
            seen.probe.withLock { $0 = (before, req.header("X-Probe")) }
            req.send(Array("hello".utf8))
            req.endStream()
        }
    }

    @Test func headersAreReadBeforeAndDroppedAfterTheStreamStarts() throws {
        let seen = Seen()
        let s = server(seen)
        defer { s.stop() }
        let c = try HTTPTestClient(port: s.port, path: "/s", headers: ["X-Probe": "1", "Connection": "close"])
        #expect(c.readUntil(timeout: 5) { _ in false } == false, "read to the server's close")
        #expect(c.status == 200)
        #expect(c.headers["content-type"] == "text/plain", "the response headers went out")
        #expect(c.text == "hello")
        #expect(seen.probe.withLock { $0.before } == "1")
        #expect(seen.probe.withLock { $0.after } == nil, "dropped once the stream started")
        #expect(c.closed, "Connection: close is still honoured when the reply ends")
    }

    @Test func aKeptAliveConnectionStillServesTheNextRequest() throws {
        let seen = Seen()
        let s = server(seen)
        defer { s.stop() }
        let raw = try exchange(port: s.port, "GET /s HTTP/1.1\r\nHost: x\r\n\r\nGET /s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(raw.components(separatedBy: "HTTP/1.1 200").count == 3, "both answers on one connection: \(raw)")
        #expect(raw.hasSuffix("0\r\n\r\n"), "and then the server closed it: \(raw)")
    }

    /// Sends `request` on one connection and reads until the server closes it (5 s at most).
    func exchange(port: Int, _ request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: UInt16(port).bigEndian,
                                  sin_addr: in_addr(s_addr: UInt32(0x7f00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else { throw TestError("connect failed") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            got += buffer[0..<n]
        }
        return String(decoding: got, as: UTF8.self)
    }
}
