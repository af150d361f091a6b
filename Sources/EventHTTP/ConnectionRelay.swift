import CLibEvent
import Glibc
import Platform

/// Hands one client connection, request and all, to another server on
/// loopback and pipes bytes both ways until either side closes: how a worker
/// sends `/cometd` to the worker that owns the Bayeux sessions
/// (docs/BAYEUX.md "Several workers").
///
/// The client's connection is taken over from evhttp as `WebSocketStream`
/// does (the request is parked in `EVCON_WRITING`; only
/// `evhttp_connection_free` ends it). The request is written again upstream
/// with the caller's extra headers and a `Content-Length` body (evhttp has
/// already decoded a chunked one); whatever the client sent after it
/// (keep-alive requests, WebSocket frames) follows as raw bytes, and so does
/// every answer. Each direction is bounded: when one side's output holds
/// `limit` bytes, the other side is not read until it drains to half.
/// When either side ends, what it sent last is delivered and then both are
/// closed. The relay keeps itself alive until then. Loop thread only.
public final class ConnectionRelay {
    /// Bytes one side's output may hold before the other side stops being read.
    static let limit = 256 * 1024
    /// Seconds a side may leave its output unread before the relay ends.
    static let writeTimeout = 30

    /// The client's answer when the upstream server cannot be reached (it is restarting).
    static let unavailable = Array(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        + "Content-Length: 51\r\nConnection: close\r\n\r\n{\"error\":\"the Bayeux worker is restarting; retry\"}\n").utf8)

    private var evcon: OpaquePointer?
    private var client: OpaquePointer?
    private var upstream: OpaquePointer?
    private var retained: Unmanaged<ConnectionRelay>?
    /// Set once one side has ended: the other only drains its output.
    private var draining = false
    /// Whether the upstream server has sent anything (else its failure is answered with a 503).
    private var heardBack = false

    private init(evcon: OpaquePointer, client: OpaquePointer, upstream: OpaquePointer) {
        self.evcon = evcon
        self.client = client
        self.upstream = upstream
    }

    /// Relays `request`'s connection to `endpoint`.
    /// - Parameters:
    ///   - addHeaders: sent after the client's headers.
    ///   - dropHeaders: client headers not sent on (lower case); the framing
    ///     headers (`Content-Length`, `Transfer-Encoding`, `Expect`) never are.
    /// - Returns: false when the connection is gone or no socket could be
    ///   made; the request is then still evhttp's to answer.
    @discardableResult
    public static func start(_ request: HTTPRequest, to endpoint: IPv4Endpoint,
                             addHeaders: [(name: String, value: String)], dropHeaders: Set<String>) -> Bool {
        guard let evcon = evhttp_request_get_connection(request.raw),
              let client = evhttp_connection_get_bufferevent(evcon),
              let upstream = bufferevent_socket_new(request.server.loop.base, -1,
                                                    Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)) else { return false }
        guard endpoint.withSockaddr({ bufferevent_socket_connect(upstream, $0, Int32($1)) }) == 0 else {
            bufferevent_free(upstream)
            return false
        }
        let relay = ConnectionRelay(evcon: evcon, client: client, upstream: upstream)
        let head = requestHead(request, addHeaders: addHeaders, dropHeaders: dropHeaders)
        let output = bufferevent_get_output(upstream)
        head.withUnsafeBytes { _ = evbuffer_add(output, $0.baseAddress, $0.count) }
        if let body = evhttp_request_get_input_buffer(request.raw) { evbuffer_add_buffer(output, body) }
        relay.adopt()
        relay.pipe(from: client, to: upstream)  // bytes the client sent right after the request
        return true
    }

    /// The request line and headers, as the upstream server must read them.
    static func requestHead(_ request: HTTPRequest, addHeaders: [(name: String, value: String)],
                            dropHeaders: Set<String>) -> [UInt8] {
        let framing: Set<String> = ["content-length", "transfer-encoding", "expect"]
        var head = "\(request.method?.rawValue ?? "GET") \(request.uri) HTTP/1.1\r\n"
        for h in request.inputHeaders {
            let name = h.name.lowercased()
            if framing.contains(name) || dropHeaders.contains(name) { continue }
            head += "\(h.name): \(h.value)\r\n"
        }
        for h in addHeaders { head += "\(h.name): \(h.value)\r\n" }
        let bodyLength = evhttp_request_get_input_buffer(request.raw).map { evbuffer_get_length($0) } ?? 0
        if bodyLength > 0 || request.method == .post || request.method == .put || request.method == .patch {
            head += "Content-Length: \(bodyLength)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8)
    }

    /// Installs the callbacks on both sides; retained until `end()`.
    private func adopt() {
        guard let evcon, let client, let upstream else { return }
        let unmanaged = Unmanaged.passRetained(self)
        retained = unmanaged
        let ctx = unmanaged.toOpaque()
        var wt = timeval(tv_sec: Self.writeTimeout, tv_usec: 0)
        for bev in [client, upstream] {
            bufferevent_setcb(bev, Self.readCallback, Self.writeCallback, Self.eventCallback, ctx)
            bufferevent_setwatermark(bev, Int16(EV_WRITE), Self.limit / 2, 0)
            bufferevent_set_timeouts(bev, nil, &wt)  // no read timeout: the upstream server has its own
            bufferevent_set_max_single_write(bev, 4 << 20)
            bufferevent_enable(bev, Int16(EV_READ | EV_WRITE))
            var on: Int32 = 1
            setsockopt(bufferevent_getfd(bev), Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        evhttp_connection_set_closecb(evcon, Self.closeCallback, ctx)
    }

    private func other(_ bev: OpaquePointer) -> OpaquePointer? { bev == client ? upstream : client }

    /// Moves what `source` read to `target`'s output; stops reading `source` while that is full.
    private func pipe(from source: OpaquePointer, to target: OpaquePointer) {
        guard let input = bufferevent_get_input(source), let output = bufferevent_get_output(target) else { return }
        if evbuffer_get_length(input) > 0 { evbuffer_add_buffer(output, input) }
        if !draining && evbuffer_get_length(output) >= Self.limit { bufferevent_disable(source, Int16(EV_READ)) }
    }

    private func readable(_ bev: OpaquePointer) {
        guard !draining, let target = other(bev) else { return }
        if bev == upstream { heardBack = true }
        pipe(from: bev, to: target)
    }

    /// `bev`'s output drained to half the limit (or, while draining, to nothing).
    private func drained(_ bev: OpaquePointer) {
        if draining {
            if evbuffer_get_length(bufferevent_get_output(bev)) == 0 { end() }
        } else if let source = other(bev) {
            bufferevent_enable(source, Int16(EV_READ))
        }
    }

    /// `bev` reached its end (EOF, error, a write timeout): what it sent goes
    /// to the other side, which is closed once that has left.
    private func sideEnded(_ bev: OpaquePointer) {
        guard !draining, let target = other(bev) else { return end() }
        pipe(from: bev, to: target)
        if bev == upstream && !heardBack { Self.unavailable.withUnsafeBytes { _ = bufferevent_write(target, $0.baseAddress, $0.count) } }
        draining = true
        close(bev)
        guard evbuffer_get_length(bufferevent_get_output(target)) > 0 else { return end() }
        bufferevent_disable(target, Int16(EV_READ))
        bufferevent_setwatermark(target, Int16(EV_WRITE), 0, 0)
    }

    /// Frees one side now.
    private func close(_ bev: OpaquePointer) {
        if bev == upstream {
            upstream = nil
            bufferevent_free(bev)
        } else if let evcon {
            self.evcon = nil
            client = nil
            evhttp_connection_free(evcon)  // the parked request, the bufferevent and the socket; our close callback sees evcon == nil
        }
    }

    /// Frees whatever is left and lets go of the relay.
    private func end() {
        if let upstream { close(upstream) }
        if let client { close(client) }
        retained?.release()
        retained = nil
    }

    /// evhttp is freeing the client connection itself (`evhttp_free` at shutdown).
    private func clientFreed() {
        guard evcon != nil else { return }
        evcon = nil
        client = nil
        end()
    }

    static let readCallback: bufferevent_data_cb = { bev, ctx in
        relay(ctx).readable(bev!)
    }

    static let writeCallback: bufferevent_data_cb = { bev, ctx in
        relay(ctx).drained(bev!)
    }

    static let eventCallback: bufferevent_event_cb = { bev, what, ctx in
        guard what & Int16(BEV_EVENT_CONNECTED) == 0 else { return }
        relay(ctx).sideEnded(bev!)
    }

    static let closeCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, ctx in
        relay(ctx).clientFreed()
    }

    private static func relay(_ ctx: UnsafeMutableRawPointer?) -> ConnectionRelay {
        Unmanaged<ConnectionRelay>.fromOpaque(ctx!).takeUnretainedValue()
    }
}
