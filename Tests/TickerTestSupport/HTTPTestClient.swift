import Platform
import Foundation
import Glibc

/// A small blocking HTTP/1.1 client over a plain socket, for tests: whole
/// responses, and streams read incrementally with chunked decoding, so a test
/// sees exactly the bytes a browser would.
public final class HTTPTestClient {
    public struct Response {
        public let status: Int
        public let headers: [String: String]
        public let body: String
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    private let fd: Int32
    private var raw: [UInt8] = []
    private var bodyStart: Int?
    private var chunked = false
    private var decoded: [UInt8] = []
    private var decodePos = 0
    public private(set) var status = 0
    public private(set) var headers: [String: String] = [:]
    public private(set) var closed = false

    /// Opens a connection and sends `GET path`.
    public init(port: Int, path: String, headers extra: [String: String] = [:], host: String = "127.0.0.1",
                method: String = "GET", rawRequest: String? = nil, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        // Another loopback address (127.0.0.2...): a second client address for per-address limits.
        if let source { _ = IPv4Endpoint(host: source, port: 0).withSockaddr { Glibc.bind(fd, $0, $1) } }
        if var size = receiveBuffer {
            // Before connect, so the TCP window stays small: a phone on a bad link.
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        guard IPv4Endpoint(host: host, port: port).connect(fd) else { Glibc.close(fd); throw TestError("connect to port \(port) failed: \(String(cString: strerror(errno)))") }
        var request = rawRequest ?? "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if rawRequest == nil {
            for (k, v) in extra { request += "\(k): \(v)\r\n" }
            request += "\r\n"
        }
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    deinit { Glibc.close(fd) }

    public func close() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// One GET, read to the end.
    public static func get(port: Int, _ path: String, headers: [String: String] = [:], timeout: Double = 10) throws -> Response {
        let c = try HTTPTestClient(port: port, path: path, headers: headers.merging(["Connection": "close"]) { a, _ in a })
        _ = c.readUntil(timeout: timeout) { _ in false }
        return Response(status: c.status, headers: c.headers, body: c.text)
    }

    /// The body received so far (chunked encoding removed).
    public var text: String { String(decoding: body, as: UTF8.self) }

    public var body: [UInt8] {
        guard let start = bodyStart else { return [] }
        return chunked ? decoded : Array(raw[start...])
    }

    /// Reads until `done(text)` is true, the connection closes, or `timeout` passes.
    @discardableResult
    public func readUntil(timeout: Double, _ done: (String) -> Bool) -> Bool {
        readUntilBytes(timeout: timeout) { done(String(decoding: $0, as: UTF8.self)) }
    }

    /// Reads whatever arrives for `timeout` seconds (or until the connection closes).
    public func read(for timeout: Double) {
        _ = readUntilBytes(timeout: timeout) { _ in false }
    }

    /// Reads until the body contains `needle`; scans only new bytes, so it
    /// keeps up with a fast stream (a slow test client would be conflated).
    @discardableResult
    public func readUntil(timeout: Double, contains needle: String) -> Bool {
        let n = Array(needle.utf8)
        var scanned = 0
        return readUntilBytes(timeout: timeout) { body in
            defer { scanned = max(0, body.count - n.count + 1) }
            guard body.count >= n.count else { return false }
            var i = scanned
            while i + n.count <= body.count {
                if body[i] == n[0], body[i..<(i + n.count)].elementsEqual(n) { return true }
                i += 1
            }
            return false
        }
    }

    private func readUntilBytes(timeout: Double, _ done: ([UInt8]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var fresh = true
        while true {
            if bodyStart != nil, fresh, done(body) { return true }
            fresh = false
            if closed { return false }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, Int32(min(left, 1) * 1000)) <= 0 { continue }
            var buf = [UInt8](repeating: 0, count: 262144)
            let got = recv(fd, &buf, buf.count, 0)
            if got <= 0 { closed = true; continue }
            raw.append(contentsOf: buf[0..<got])
            parse()
            fresh = true
        }
    }

    private func parse() {
        if bodyStart == nil {
            guard let end = raw.indices.dropLast(3).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10 }) else { return }
            let head = String(decoding: raw[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
            status = Int(head[0].split(separator: " ")[1]) ?? 0
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
            bodyStart = end + 4
            decodePos = end + 4
        }
        guard chunked else {
            if let length = headers["content-length"].flatMap(Int.init), let start = bodyStart, raw.count - start >= length { closed = true }
            return
        }
        while true {
            guard let lineEnd = raw[decodePos...].indices.first(where: { $0 + 1 < raw.count && raw[$0] == 13 && raw[$0 + 1] == 10 }) else { return }
            guard let size = Int(String(decoding: raw[decodePos..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else { return }
            let dataStart = lineEnd + 2
            guard raw.count >= dataStart + size + 2 else { return }
            if size == 0 { closed = true; return }
            decoded.append(contentsOf: raw[dataStart..<(dataStart + size)])
            decodePos = dataStart + size + 2
        }
    }
}

/// One server-sent event, as a browser's EventSource would see it.
public struct SSEEvent: Equatable {
    public var id: String?
    public var event: String
    public var data: String
}

/// Parses SSE text into the events a browser would dispatch (comments skipped).
public func parseSSE(_ text: String) -> [SSEEvent] {
    var events: [SSEEvent] = []
    for block in text.components(separatedBy: "\n\n") {
        var e = SSEEvent(id: nil, event: "message", data: "")
        var hasData = false
        for line in block.split(separator: "\n") {
            if line.hasPrefix(":") { continue }
            if line.hasPrefix("id: ") { e.id = String(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { e.event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { e.data = String(line.dropFirst(6)); hasData = true }
        }
        if hasData { events.append(e) }
    }
    return events
}

/// The tick ids in a text of tick JSON objects, in order.
public func tickIDs(in text: String, event: String = "tick") -> [Int64] {
    parseSSE(text).filter { $0.event == event }.compactMap { e in
        guard let r = e.data.range(of: "\"id\":") else { return nil }
        return Int64(e.data[r.upperBound...].prefix { $0.isNumber })
    }
}

public struct TestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
