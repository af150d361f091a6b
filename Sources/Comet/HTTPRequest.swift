import CLibEvent
import Glibc

/// One `evhttp_request*` while the server answers it. Not an owner: evhttp frees
/// the request when the reply ends, or leaves it to us when the client goes
/// away mid-reply (see `detachedFree`). Loop thread only.
final class HTTPRequest {
    let raw: OpaquePointer
    unowned let server: HTTPServer
    let uri: String
    let path: String
    let query: String

    init(_ raw: OpaquePointer, server: HTTPServer) {
        self.raw = raw
        self.server = server
        uri = String(cString: evhttp_request_get_uri(raw))
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q])
            query = String(uri[uri.index(after: q)...])
        } else {
            path = uri
            query = ""
        }
    }

    var method: evhttp_cmd_type { evhttp_request_get_command(raw) }

    var connection: OpaquePointer? { evhttp_request_get_connection(raw) }

    /// The client's IP address ("" when the connection is gone).
    var peer: String {
        guard let evcon = connection else { return "" }
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(evcon, &address, &port)
        return address.map { String(cString: $0) } ?? ""
    }

    func header(_ name: String) -> String? {
        guard let h = evhttp_request_get_input_headers(raw), let v = evhttp_find_header(h, name) else { return nil }
        return String(cString: v)
    }

    func setHeader(_ name: String, _ value: String) {
        let h = evhttp_request_get_output_headers(raw)
        evhttp_remove_header(h, name)
        evhttp_add_header(h, name, value)
    }

    /// Sends a whole response and ends the request.
    func respond(_ status: Int32, _ reason: String, contentType: String, body: [UInt8]) {
        setHeader("Content-Type", contentType)
        let buf = server.scratch
        body.withUnsafeBytes { _ = evbuffer_add(buf, $0.baseAddress, $0.count) }
        evhttp_send_reply(raw, status, reason, buf)
        evbuffer_drain(buf, evbuffer_get_length(buf))
    }

    func respond(_ status: Int32, _ reason: String, contentType: String, text: String) {
        respond(status, reason, contentType: contentType, body: Array(text.utf8))
    }

    /// Starts a long-lived response: headers go out now (which also lets a
    /// client's close be seen), the body follows in `send` calls.
    func startStream(writeTimeout: Double) {
        evhttp_send_reply_start(raw, 200, "OK")
        guard let evcon = connection, let bev = evhttp_connection_get_bufferevent(evcon) else { return }
        // evhttp's request timeout applies to reads too and would kill an idle
        // stream; a stream only needs a write timeout (a reader that stalls).
        var wt = timeval(tv_sec: Int(writeTimeout), tv_usec: 0)
        bufferevent_set_timeouts(bev, nil, &wt)
        // libevent writes at most 16 KiB per loop turn by default, so a burst
        // would sit in user space and look like a slow reader; let the kernel
        // take as much as it will in one go.
        bufferevent_set_max_single_write(bev, 4 << 20)
    }

    func send(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let buf = server.scratch
        bytes.withUnsafeBytes { _ = evbuffer_add(buf, $0.baseAddress, $0.count) }
        evhttp_send_reply_chunk(raw, buf)
    }

    func endStream() { evhttp_send_reply_end(raw) }

    /// Bytes written to the connection but not yet taken by the client.
    var pendingOutput: Int {
        guard let evcon = connection, let bev = evhttp_connection_get_bufferevent(evcon),
              let out = bufferevent_get_output(bev) else { return 0 }
        return evbuffer_get_length(out)
    }

    /// After the client went away mid-reply, evhttp detached the request and
    /// left it to us (LIBEVENT-LIBPQ.md: 46 MB over 30,000 streams otherwise).
    func freeIfDetached() {
        if evhttp_request_get_connection(raw) == nil { evhttp_request_free(raw) }
    }
}
