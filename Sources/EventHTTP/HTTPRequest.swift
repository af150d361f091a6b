import CLibEvent
import Glibc

/// One `evhttp_request*` while the server answers it. Not an owner: evhttp frees
/// the request when the reply ends, or leaves it to us when the client goes
/// away mid-reply (see `freeIfDetached`). Loop thread only.
public final class HTTPRequest {
    let raw: OpaquePointer
    unowned let server: HTTPServer
    public let uri: String
    public let path: String
    public let query: String
    /// Nil for a method evhttp knows but the server does not name (it is refused).
    public let method: HTTPMethod?
    /// The body writer, once `startStream` has sent the headers.
    public private(set) var stream: HTTPStreamWriter?

    init(_ raw: OpaquePointer, server: HTTPServer) {
        self.raw = raw
        self.server = server
        method = HTTPMethod(evhttp_request_get_command(raw))
        uri = String(cString: evhttp_request_get_uri(raw))
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q])
            query = String(uri[uri.index(after: q)...])
        } else {
            path = uri
            query = ""
        }
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
    /// `stream`.
    public func startStream(writeTimeout: Double) {
        evhttp_send_reply_start(raw, 200, "OK")
        let chunked = evhttp_find_header(evhttp_request_get_output_headers(raw), "Transfer-Encoding")
            .map { String(cString: $0) == "chunked" } ?? false
        stream = HTTPStreamWriter(chunked: chunked, needsBody: method != .head)
        guard let evcon = evhttp_request_get_connection(raw), let bev = evhttp_connection_get_bufferevent(evcon) else { return }
        // Ticks are small and must not wait for an acknowledgement (Nagle).
        var on: Int32 = 1
        setsockopt(bufferevent_getfd(bev), Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        // evhttp's request timeout applies to reads too and would kill an idle
        // stream; a stream only needs a write timeout (a reader that stalls).
        var wt = timeval(tv_sec: Int(writeTimeout), tv_usec: 0)
        bufferevent_set_timeouts(bev, nil, &wt)
        // libevent writes at most 16 KiB per loop turn by default, so a burst
        // would sit in user space and look like a slow reader; let the kernel
        // take as much as it will in one go.
        bufferevent_set_max_single_write(bev, 4 << 20)
    }

    /// Sends one chunk of a started response.
    public func send(_ bytes: [UInt8]) {
        guard let stream, !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { _ = stream.write(self, $0) }
    }

    public func endStream() { evhttp_send_reply_end(raw) }

    /// Bytes written to the connection but not yet taken by the client.
    public var pendingOutput: Int {
        guard let evcon = evhttp_request_get_connection(raw), let bev = evhttp_connection_get_bufferevent(evcon),
              let out = bufferevent_get_output(bev) else { return 0 }
        return evbuffer_get_length(out)
    }

    /// After the client went away mid-reply, evhttp detached the request and
    /// left it to us (LIBEVENT-LIBPQ.md: 46 MB over 30,000 streams otherwise).
    public func freeIfDetached() {
        if evhttp_request_get_connection(raw) == nil { evhttp_request_free(raw) }
    }
}
