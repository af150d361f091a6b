import EventHTTP
import Foundation
import Glibc
import Logging
import Platform
import Testing
import TickerTestSupport

/// A real `HTTPServer` that relays every request's connection to
/// `127.0.0.1:upstream`, adding `X-Relayed-For`.
func relayServer(upstream: Int) -> LiveServer {
    LiveServer { request in
        let ok = ConnectionRelay.start(request, to: IPv4Endpoint(host: "127.0.0.1", port: upstream),
                                       addHeaders: [("X-Relayed-For", request.peer)], dropHeaders: ["x-relayed-for"])
        if !ok { request.respond(503, contentType: "text/plain", text: "no relay") }
    }
}

/// The server behind the relay: a listening socket whose one accepted
/// connection the test reads and writes by hand.
final class Upstream {
    let listener: Int32
    let port: Int
    private(set) var connection: Int32 = -1
    private(set) var received: [UInt8] = []

    init() throws {
        port = try #require(FreePort.loopback())
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = IPv4Endpoint(host: "127.0.0.1", port: port).withSockaddr { Glibc.bind(listener, $0, $1) }
        listen(listener, 8)
    }

    deinit {
        if connection >= 0 { close(connection) }
        close(listener)
    }

    func accept() {
        connection = Glibc.accept(listener, nil, nil)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads until `text` has arrived (or 5 s of silence, or the end).
    func read(until text: String) -> String {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while String(decoding: received, as: UTF8.self).range(of: text) == nil {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += chunk[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// True when the relay closed this connection (EOF or reset) within 5 s.
    func sawEnd() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n == 0 || (n < 0 && errno == ECONNRESET) { return true }
            if n < 0 { return false }
        }
    }

    func write(_ text: String) { _ = text.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
}

/// `ConnectionRelay`: how a worker hands a `/cometd` connection to worker 0.
@Suite(.serialized) struct ConnectionRelayTests {
    @Test func theRequestGoesOnReframedWithTheRelayHeaderThenBytesFlowBothWaysUntilOneSideCloses() throws {
        let upstream = try Upstream()
        let relay = relayServer(upstream: upstream.port)
        defer { relay.stop() }
        let client = RawClient(port: relay.port)
        // A chunked body (evhttp decodes it), a forged relay header, and a second request right behind.
        client.write(Array(("POST /cometd?x=1 HTTP/1.1\r\nHost: h\r\nX-Relayed-For: 10.9.9.9\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n").utf8))
        upstream.accept()
        let seen = upstream.read(until: "GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(seen == "POST /cometd?x=1 HTTP/1.1\r\nHost: h\r\nX-Relayed-For: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n", "\(seen)")
        upstream.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(client.read { String(decoding: $0, as: UTF8.self).hasSuffix("\r\n\r\nok") })
        client.write(Array("more bytes".utf8))
        #expect(upstream.read(until: "more bytes").hasSuffix("more bytes"))
        // The upstream ends: its last words arrive, then the client's connection closes too.
        upstream.write("bye")
        close(upstream.connection)
        #expect(String(decoding: client.readToEnd(), as: UTF8.self).hasSuffix("okbye"))
    }

    @Test func theClientLeavingClosesTheUpstreamConnection() throws {
        let upstream = try Upstream()
        let relay = relayServer(upstream: upstream.port)
        defer { relay.stop() }
        do {
            let client = RawClient(port: relay.port)
            client.write(Array("GET /a HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
            upstream.accept()
            _ = upstream.read(until: "\r\n\r\n")
        }  // the client's socket is closed here
        #expect(upstream.sawEnd())
    }

    /// A client that stops reading: the relay holds a bounded amount and
    /// stops reading the upstream, whose writes then block; nothing is lost.
    @Test func aClientThatStopsReadingStallsTheUpstreamWithBoundedBuffers() throws {
        let upstream = try Upstream()
        let relay = relayServer(upstream: upstream.port)
        defer { relay.stop() }
        let client = RawClient(port: relay.port, receiveBuffer: 16384)
        client.write(Array("GET /big HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        upstream.accept()
        _ = upstream.read(until: "\r\n\r\n")
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(upstream.connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let block = [UInt8](repeating: 120, count: 65536)
        var sent = 0
        while sent < 256 << 20 {  // stops when a send waits 1 s: the relay no longer reads
            let n = block.withUnsafeBytes { send(upstream.connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { break }
            sent += n
        }
        // Kernel buffers on loopback grow to a few MB each; the relay itself adds at most 256 KiB.
        #expect(sent < 48 << 20, "the upstream could write \(sent) bytes to a client that reads nothing")
        close(upstream.connection)
        let got = client.readToEnd().count
        #expect(got == sent, "the client got \(got) of \(sent) bytes")
    }

    @Test func anUpstreamThatIsDownIsA503() throws {
        let relay = relayServer(upstream: try #require(FreePort.loopback()))  // nothing listens there
        defer { relay.stop() }
        let client = RawClient(port: relay.port)
        client.write(Array("POST /cometd HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n[]".utf8))
        let answer = String(decoding: client.readToEnd(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") && answer.hasSuffix("restarting; retry\"}\n"), "\(answer)")
    }
}
