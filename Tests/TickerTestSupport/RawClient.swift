import Foundation
import Glibc

/// A blocking TCP client for byte-exact exchanges (5 s receive timeout, so a
/// broken server fails the test instead of hanging it).
public final class RawClient {
    public let fd: Int32
    public private(set) var received: [UInt8] = []

    /// - Parameter receiveBuffer: a small kernel receive buffer makes a reader
    ///   that stops reading fill the server's output quickly.
    /// - Parameter source: another loopback address to connect from (127.0.0.2...).
    public init(port: Int, receiveBuffer: Int32? = nil, source: String? = nil) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let source {
            var from = sockaddr_in()
            from.sin_family = sa_family_t(AF_INET)
            from.sin_addr.s_addr = inet_addr(source)
            _ = withUnsafePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
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

    public func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// An upgrade request for /ws; `override` replaces or (value nil) removes headers.
    public static func upgradeRequest(_ override: [String: String?] = [:], path: String = "/ws") -> [UInt8] {
        var headers: [(String, String)] = [("Host", "127.0.0.1"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                           ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]
        for (name, value) in override {
            headers.removeAll { $0.0 == name }
            if let value { headers.append((name, value)) }
        }
        return Array(("GET \(path) HTTP/1.1\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n").utf8)
    }

    /// Reads until the end of the response head; returns it, keeps what follows.
    public func readHead() -> String {
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
    public func readFrames(_ count: Int) -> [Frames.Frame] {
        while (Frames.server(received)?.count ?? 0) < count, readSome() {}
        return Frames.server(received) ?? []
    }

    /// Reads until `done` holds for what arrived (or the server closes, or 5 s of silence).
    public func read(until done: ([UInt8]) -> Bool) -> Bool {
        while !done(received), readSome() {}
        return done(received)
    }

    /// Reads until the server closes (or 5 s of silence); returns what followed the head.
    public func readToEnd() -> [UInt8] {
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
