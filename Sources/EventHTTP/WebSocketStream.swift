import CLibEvent
import Glibc

/// One upgraded WebSocket: the evhttp connection taken over after the `101`,
/// its bufferevent driving a `WebSocketConnection`.
///
/// libevent 2.1.12 cannot detach a connection from evhttp (2.2's
/// `evhttp_start_ws_` does, with internals), so the takeover keeps the
/// `evhttp_connection` and only replaces its bufferevent's callbacks. evhttp
/// has parked the request in `EVCON_WRITING` with reading disabled and will not
/// touch the connection again until someone frees it; `evhttp_connection_free`
/// then frees the request, the bufferevent and the socket. That is our only
/// way out, and `evhttp_free` takes it too at shutdown (the close callback
/// tells us). (Read in libevent's http.c at release-2.1.12-stable:
/// `evhttp_handle_request`, `evhttp_connection_done`, `evhttp_connection_free`,
/// `evhttp_free`. We never send the 101 with `evhttp_send_reply`, which would
/// add a body length and then reset the connection for the next request.)
///
/// The stream keeps itself alive (a retain held by libevent's callback
/// context) from the upgrade until the connection is freed, so the transport
/// may hold it weakly or strongly without racing the socket.
///
/// Loop thread only.
public final class WebSocketStream {
    /// Timeouts and limits of one stream.
    public struct Configuration: Sendable {
        /// Seconds without a byte from the client (pongs count) before it is
        /// closed with 1001; ping more often than this.
        public var idleTimeout: Double = 40
        /// Seconds a client may leave our output unread before it is dropped
        /// (it resumes by cursor).
        public var writeTimeout: Double = 30
        /// Seconds to wait for the client's close after ours.
        public var closeTimeout: Double = 2
        public var connection = WebSocketConnection.Configuration()

        public init(idleTimeout: Double = 40, writeTimeout: Double = 30, closeTimeout: Double = 2,
                    connection: WebSocketConnection.Configuration = .init()) {
            self.idleTimeout = idleTimeout
            self.writeTimeout = writeTimeout
            self.closeTimeout = closeTimeout
            self.connection = connection
        }
    }

    /// Messages and closes from the peer (`WebSocketConnection.Event`).
    public var onEvent: ((WebSocketConnection.Event) -> Void)?
    /// Called once when the connection is gone, whoever ended it.
    public var onClosed: (() -> Void)?

    let framing: WebSocketConnection
    let configuration: Configuration
    /// Nil once freed; only this class frees it.
    private(set) var evcon: OpaquePointer?
    private(set) var bev: OpaquePointer?

    init(evcon: OpaquePointer, bev: OpaquePointer, configuration: Configuration) {
        self.evcon = evcon
        self.bev = bev
        self.configuration = configuration
        framing = WebSocketConnection(configuration: configuration.connection)
    }

    /// True until the connection is freed.
    public var isOpen: Bool { evcon != nil }

    /// Bytes written but not yet taken by the client (backpressure).
    public var pendingOutput: Int {
        guard let bev else { return 0 }
        return evbuffer_get_length(bufferevent_get_output(bev))
    }

    /// Sends one text message; false once closing or closed.
    @discardableResult
    public func sendText(_ text: String) -> Bool {
        defer { flush() }
        return isOpen && framing.sendText(text)
    }

    /// Sends whole text frames made once for many streams (`WebSocketFrame`),
    /// gathered into one `sendmsg`; only what the socket does not take is
    /// copied into the output buffer. Frames never interleave with wslay's:
    /// its output is always moved out whole, right after each call.
    /// - Returns: false once closing or closed (nothing is sent after our close).
    @discardableResult
    public func sendFrames(_ frames: UnsafeMutableBufferPointer<iovec>) -> Bool {
        guard let bev, framing.closing == .open else { return false }
        gatherWrite(bev, frames)
        return true
    }

    /// Sends a ping; the client's pong resets the idle timeout.
    public func sendPing() {
        guard isOpen else { return }
        framing.sendPing()
        flush()
    }

    /// Starts the closing handshake; the connection is freed when the client
    /// answers or after `closeTimeout`.
    public func close(code: UInt16, reason: String) {
        guard isOpen else { return }
        framing.close(code: code, reason: reason)
        flush()
    }

    /// Frees the connection now (no closing handshake).
    public func terminate() {
        guard let evcon else { return }
        forget()
        // Runs our close callback, which sees `evcon == nil` and does nothing.
        evhttp_connection_free(evcon)
        ended()
    }

    /// Drops the pointers before the connection is freed, so nothing here touches them again.
    func forget() {
        evcon = nil
        bev = nil
    }

    /// Writes what the framing produced; frees the connection once both
    /// directions are done and the last byte has left.
    func flush() {
        guard let bev else { return }
        var bytes = framing.takeOutput()
        if !bytes.isEmpty {
            bytes.withUnsafeMutableBytes { raw in
                var part = iovec(iov_base: raw.baseAddress, iov_len: raw.count)
                withUnsafeMutablePointer(to: &part) { gatherWrite(bev, UnsafeMutableBufferPointer(start: $0, count: 1)) }
            }
        }
        if framing.isFinished && pendingOutput == 0 {
            terminate()
        } else if framing.closing != .open && !closeTimeoutArmed {
            // Our close is out (asked for, or the peer broke a rule): give
            // the peer `closeTimeout` to answer, not the idle timeout.
            closeTimeoutArmed = true
            setTimeouts(read: configuration.closeTimeout)
        }
    }

    /// The read timeout is the close timeout now.
    private var closeTimeoutArmed = false

    /// Read: the idle or the close timeout; write: a reader that takes nothing.
    func setTimeouts(read: Double) {
        guard let bev else { return }
        var readTV = Self.timeval(read)
        var writeTV = Self.timeval(configuration.writeTimeout)
        bufferevent_set_timeouts(bev, &readTV, &writeTV)
        // A timeout disables the direction it fired on; reading goes on.
        bufferevent_enable(bev, Int16(EV_READ | EV_WRITE))
    }

    static func timeval(_ seconds: Double) -> Glibc.timeval {
        Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
    }

    private var retained: Unmanaged<WebSocketStream>?

    /// Balances the retain taken at the upgrade, after telling the transport.
    func ended() {
        let callback = onClosed
        onClosed = nil
        onEvent = nil
        callback?()
        retained?.release()
        retained = nil
    }

    /// Installs our callbacks on the connection (see WebSocketStream+Upgrade.swift).
    func adopt() {
        guard let evcon, let bev else { return }
        let unmanaged = Unmanaged.passRetained(self)
        retained = unmanaged
        let ctx = unmanaged.toOpaque()
        bufferevent_setcb(bev, Self.readCallback, Self.writeCallback, Self.eventCallback, ctx)
        evhttp_connection_set_closecb(evcon, Self.closeCallback, ctx)
        bufferevent_set_max_single_write(bev, 4 << 20)
        setTimeouts(read: configuration.idleTimeout)
    }
}
