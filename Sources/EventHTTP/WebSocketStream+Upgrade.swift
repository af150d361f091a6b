import CLibEvent
import Glibc

/// The upgrade itself and the bufferevent callbacks.
///
/// The callbacks are non-capturing closures; their context is the stream,
/// retained from `adopt()` until `ended()`, so it is alive for every callback
/// libevent can still make.
extension WebSocketStream {
    /// Answers an Upgrade request: either `101` and a stream that owns the
    /// connection from now on, or the rejection to send as a normal reply.
    /// Call `start()` on the stream once its handlers are set.
    /// - Parameter allowedOrigins: the CORS allow-list (`*` allows any).
    public static func upgrade(_ request: HTTPRequest, allowedOrigins: [String],
                               configuration: Configuration = Configuration())
        -> Result<WebSocketStream, WebSocketHandshake.Rejection> {
        let validated = WebSocketHandshake.validate(
            method: request.method?.rawValue ?? "?", headers: request.inputHeaders, allowedOrigins: allowedOrigins)
        switch validated {
        case .failure(let rejection):
            return .failure(rejection)
        case .success(let handshake):
            guard let evcon = evhttp_request_get_connection(request.raw),
                  let bev = evhttp_connection_get_bufferevent(evcon) else {
                return .failure(.init(status: 400, reason: "connection closed during the handshake"))
            }
            // Written by hand: evhttp_send_reply would add a body length and
            // then reset the connection for the next request.
            handshake.responseBytes.withUnsafeBytes {
                _ = evbuffer_add(bufferevent_get_output(bev), $0.baseAddress, $0.count)
            }
            let stream = WebSocketStream(evcon: evcon, bev: bev, configuration: configuration)
            stream.adopt()
            return .success(stream)
        }
    }

    /// Reads frames the client sent together with its request (evhttp left
    /// them in the input buffer) and from then on as they come.
    public func start() { readable() }

    func readable() {
        guard let bev, let input = bufferevent_get_input(bev) else { return }
        let total = evbuffer_get_length(input)
        guard total > 0 else { return }
        // Walk the buffer's chunks in place (no pullup copy); wslay copies what it needs.
        let count = evbuffer_peek(input, -1, nil, nil, 0)
        var chunks = [iovec](repeating: iovec(), count: Int(count))  // evbuffer_iovec is a macro for iovec
        _ = evbuffer_peek(input, -1, nil, &chunks, count)
        var events: [WebSocketConnection.Event] = []
        for chunk in chunks {
            events += framing.receive(UnsafeRawBufferPointer(start: chunk.iov_base, count: chunk.iov_len))
        }
        evbuffer_drain(input, total)
        for event in events { onEvent?(event) }
        flush()
    }

    func timedOut(_ what: Int16) {
        if what & Int16(BEV_EVENT_READING) != 0, framing.closing == .open {
            close(code: 1001, reason: "idle timeout")
        } else {
            terminate()  // a stalled reader, or no answer to our close
        }
    }

    /// evhttp is freeing the connection (`evhttp_free` at shutdown, or our
    /// own `terminate`, which has already let go of it).
    func connectionFreed() {
        guard evcon != nil else { return }
        forget()
        ended()
    }

    static let readCallback: bufferevent_data_cb = { _, ctx in
        stream(ctx).readable()
    }

    static let writeCallback: bufferevent_data_cb = { _, ctx in
        stream(ctx).flush()  // output drained: finish if both sides are done
    }

    static let eventCallback: bufferevent_event_cb = { _, what, ctx in
        let stream = stream(ctx)
        if what & Int16(BEV_EVENT_TIMEOUT) != 0 {
            stream.timedOut(what)
        } else {
            stream.terminate()  // EOF or error
        }
    }

    static let closeCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, ctx in
        stream(ctx).connectionFreed()
    }

    private static func stream(_ ctx: UnsafeMutableRawPointer?) -> WebSocketStream {
        Unmanaged<WebSocketStream>.fromOpaque(ctx!).takeUnretainedValue()
    }
}

extension HTTPRequest {
    /// The request headers in arrival order (repeated names kept).
    public var inputHeaders: [(name: String, value: String)] {
        guard let headers = evhttp_request_get_input_headers(raw) else { return [] }
        var out: [(name: String, value: String)] = []
        var entry = headers.pointee.tqh_first
        while let kv = entry {
            out.append((String(cString: kv.pointee.key), String(cString: kv.pointee.value)))
            entry = kv.pointee.next.tqe_next
        }
        return out
    }
}
