import EventHTTP
import Quotes

/// Where a Bayeux client's messages go out: one HTTP response (long-polling
/// and callback-polling), or an open WebSocket.
protocol BayeuxLink: AnyObject {
    /// True on a WebSocket: deliveries go out as ticks arrive, not only with
    /// a connect reply.
    var pushes: Bool { get }
    /// False once nothing more can be sent on it.
    var isOpen: Bool { get }
    /// Sends one array of messages (JSON texts). An HTTP link answers its
    /// request with it and is then used up.
    func send(_ messages: [String])
}

/// One `/cometd` HTTP request: a POST (long-polling) or a GET with
/// `message` and `jsonp` (callback-polling, the script-tag transport, with
/// the JSONP hardening of `/poll`: a validated callback name, a JavaScript
/// content type, `nosniff`).
///
/// A held `/meta/connect` keeps its request open: its headers go out at once
/// (so a client that leaves is noticed, as for long polls), and it is
/// tracked by the server like a parked poll, which is why it is a
/// `TickSubscriber` (with no symbols: ticks reach its client, not it).
final class BayeuxHTTPLink: TickSubscriber, BayeuxLink {
    let request: HTTPRequest
    let callback: String?
    private(set) var isOpen = true
    private(set) var isHeld = false
    /// Called once when a held request ends: answered, or its client left.
    var onFinish: ((BayeuxHTTPLink) -> Void)?
    var pushes: Bool { false }

    init(request: HTTPRequest, callback: String?) {
        self.request = request
        self.callback = callback
        super.init(symbols: [])
    }

    var contentType: String { callback == nil ? "application/json;charset=utf-8" : "application/javascript; charset=utf-8" }

    /// Headers of every `/cometd` answer.
    func prepare() {
        request.setHeader("X-Content-Type-Options", "nosniff")
        request.setHeader("Cache-Control", "no-cache, no-store")
        request.setHeader("Content-Type", contentType)
    }

    /// Keeps the request open for a held connect: headers now, body later.
    func hold(writeTimeout: Double) {
        isHeld = true
        request.startStream(writeTimeout: writeTimeout)
    }

    func send(_ messages: [String]) {
        guard isOpen else { return }
        isOpen = false
        let body = BayeuxReply.body(messages, callback: callback)
        if isHeld {
            request.send(Array(body.utf8))
            onFinish?(self) // before the end: see `LongPollTransport.answer`
            request.endStream()
        } else {
            request.respond(200, contentType: contentType, text: body)
        }
    }

    /// The client went away while its connect was held.
    func abandon() {
        guard isOpen else { return }
        isOpen = false
        onFinish?(self)
    }
}
