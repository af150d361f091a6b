import EventHTTP

/// Bayeux over a WebSocket at `/cometd`: each text message from the client
/// is a JSON array of Bayeux messages (or one message), each message we send
/// is one JSON array. Deliveries go out as ticks arrive; a `/meta/connect`
/// is held as on HTTP, as the session's heartbeat. The framing, limits and
/// close handling are `WebSocketStream`'s, as for `/ws`.
final class BayeuxWebSocket: BayeuxLink {
    let stream: WebSocketStream
    let peer: String
    let browser: String?
    /// The upgrade request's bearer token or `ticker_token` cookie (#16), for a handshake without one in `ext`.
    var headerToken: String?
    var pushes: Bool { true }
    var isOpen: Bool { stream.isOpen && !closing }
    private var closing = false

    init(stream: WebSocketStream, peer: String, browser: String?) {
        self.stream = stream
        self.peer = peer
        self.browser = browser
    }

    func send(_ messages: [String]) {
        guard isOpen, !messages.isEmpty else { return }
        _ = stream.sendText(BayeuxReply.body(messages, callback: nil))
    }

    /// Closes with `code` (1008 when the client broke our rules, 1001 at shutdown).
    func close(code: UInt16, reason: String) {
        guard isOpen else { return }
        closing = true
        stream.close(code: code, reason: reason)
    }
}
