import CLibEvent
import Glibc

/// One `evhttp_request*` while the server answers it. Not an owner: evhttp frees
/// the request when the reply ends, or leaves it to us when the client goes
/// away mid-reply (see `freeIfDetached`). Loop thread only.
public final class HTTPRequest {
    let raw: OpaquePointer
    unowned let server: HTTPServer
    public let path: String
    /// Nil for a method evhttp knows but the server does not name (it is refused).
    public let method: HTTPMethod?
    /// The body writer, once `startStream` has sent the headers.
    public private(set) var stream: HTTPStreamWriter?

    init(_ raw: OpaquePointer, server: HTTPServer) {
        self.raw = raw
        self.server = server
        method = HTTPMethod(evhttp_request_get_command(raw))
        let uri = String(cString: evhttp_request_get_uri(raw))
        path = uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
    }

    /// The request target as sent. Read from evhttp's copy rather than kept
    /// (a dashboard's stream URL names twenty symbols, and the stream lives
    /// for hours), so only while routing: not after the reply has ended.
    public var uri: String { String(cString: evhttp_request_get_uri(raw)) }

    /// What follows `?` in the target ("" when nothing does).
    public var query: String {
        let uri = uri
        return uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
    }

    /// The connection, while the client is still there.
    public var connection: ConnectionID? { evhttp_request_get_connection(raw).map(ConnectionID.init) }

    /// The client's IP address ("" when the connection is gone).
    public var peer: String {
        guard let evcon = evhttp_request_get_connection(raw) else { return "" }
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(evcon, &address, &port)
        return address.map { String(cString: $0) } ?? ""
    }

    /// The server port the connection came in on (0 when it is gone): tells
    /// connections on `HTTPServer.bindAlso`'s port from the public ones.
    public var localPort: Int {
        guard let evcon = evhttp_request_get_connection(raw), let bev = evhttp_connection_get_bufferevent(evcon) else { return 0 }
        var address = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(bufferevent_getfd(bev), $0, &len) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : 0
    }

    public func header(_ name: String) -> String? {
        guard let h = evhttp_request_get_input_headers(raw), let v = evhttp_find_header(h, name) else { return nil }
        return String(cString: v)
    }

    /// The request body (POST), at most the server's body limit.
    public var body: [UInt8] {
        guard let b = evhttp_request_get_input_buffer(raw) else { return [] }
        let n = evbuffer_get_length(b)
        guard n > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: n)
        out.withUnsafeMutableBytes { _ = evbuffer_copyout(b, $0.baseAddress, n) }
        return out
    }

    public func setHeader(_ name: String, _ value: String) {
        let h = evhttp_request_get_output_headers(raw)
        evhttp_remove_header(h, name)
        evhttp_add_header(h, name, value)
    }

    /// Sends a whole response and ends the request.
    public func respond(_ status: Int, contentType: String, body: [UInt8]) {
        setHeader("Content-Type", contentType)
        let buf = server.scratch
        body.withUnsafeBytes { _ = evbuffer_add(buf, $0.baseAddress, $0.count) }
        evhttp_send_reply(raw, Int32(status), HTTPStatus.reason(status), buf)
        evbuffer_drain(buf, evbuffer_get_length(buf))
    }

    public func respond(_ status: Int, contentType: String, text: String) {
        respond(status, contentType: contentType, body: Array(text.utf8))
    }

    /// Starts a long-lived response: headers go out now (which also lets a
    /// client's close be seen), the body follows in `send` calls or through
    /// `stream`. The request's headers are dropped (but `Connection`): read
    /// them before.
    public func startStream(writeTimeout: Double) {
        evhttp_send_reply_start(raw, 200, "OK")
        let chunked = evhttp_find_header(evhttp_request_get_output_headers(raw), "Transfer-Encoding")
            .map { String(cString: $0) == "chunked" } ?? false
        // A stream lives for hours and both header lists would live with it
        // (about 800 bytes of small allocations for ours, a kilobyte or more
        // for a browser's): ours are on the wire now, and the client's have
        // been read by the route. Only `Connection` stays, which evhttp reads
        // again when the reply ends (keep-alive).
        Self.dropHeaders(evhttp_request_get_output_headers(raw))
        Self.dropHeaders(evhttp_request_get_input_headers(raw))
        let bev = evhttp_request_get_connection(raw).flatMap { evhttp_connection_get_bufferevent($0) }
        stream = HTTPStreamWriter(chunked: chunked, needsBody: method != .head, connection: bev)
        guard let bev else { return }
        // Ticks are small and must not wait for an acknowledgement (Nagle).
        var on: Int32 = 1
        setsockopt(bufferevent_getfd(bev), Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        // evhttp left the headers in the output buffer for libevent's next
        // turn. Written now, that buffer is freed before anything else is
        // allocated (later, its ~2 KB stayed behind as a hole in the heap
        // for every stream: half as much again as the stream itself), and
        // the opening events go straight to the socket behind them.
        if let output = bufferevent_get_output(bev), evbuffer_get_length(output) > 0 {
            evbuffer_write(output, bufferevent_getfd(bev))
        }
        // evhttp's request timeout applies to reads too and would kill an idle
        // stream; a stream only needs a write timeout (a reader that stalls).
        var wt = timeval(tv_sec: Int(writeTimeout), tv_usec: 0)
        bufferevent_set_timeouts(bev, nil, &wt)
        // libevent writes at most 16 KiB per loop turn by default, so a burst
        // would sit in user space and look like a slow reader; let the kernel
        // take as much as it will in one go.
        bufferevent_set_max_single_write(bev, 4 << 20)
    }

    /// Frees a header list but its `Connection` header.
    private static func dropHeaders(_ list: UnsafeMutablePointer<evkeyvalq>?) {
        guard let list else { return }
        let connection = evhttp_find_header(list, "Connection").map { String(cString: $0) }
        evhttp_clear_headers(list)
        if let connection { evhttp_add_header(list, "Connection", connection) }
    }

    /// Sends one chunk of a started response.
    public func send(_ bytes: [UInt8]) {
        guard let stream, !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { _ = stream.write(self, $0) }
    }

    public func endStream() { evhttp_send_reply_end(raw) }

    /// Bytes of a started stream written but not yet taken by the client
    /// (0 before `startStream`, and once the client is gone).
    public var pendingOutput: Int { stream?.pendingOutput(self) ?? 0 }

    /// After the client went away mid-reply, evhttp detached the request and
    /// left it to us (LIBEVENT-LIBPQ.md: 46 MB over 30,000 streams otherwise).
    public func freeIfDetached() {
        if evhttp_request_get_connection(raw) == nil { evhttp_request_free(raw) }
    }
}
