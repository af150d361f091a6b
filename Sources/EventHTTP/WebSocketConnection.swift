import CWslay

/// RFC 6455 framing for one server-side WebSocket: the single owner of one
/// `wslay_event_context`.
///
/// It does no IO and knows no event loop. The transport feeds it the bytes it
/// read from the socket (`receive(_:)`), writes whatever `takeOutput()` hands
/// back, and acts on the returned `Event`s. That keeps wslay (which validates
/// masking, control frames, UTF-8 and sizes for us) testable with byte arrays,
/// and lets the libevent layer plug it into a bufferevent's callbacks without
/// a second buffer pump.
///
/// Received messages come back as return values instead of callbacks so the
/// transport can answer them (send, close) without re-entering wslay while it
/// is still inside `wslay_event_recv`.
///
/// Not `Sendable`: like every libevent object, it belongs to the loop thread.
public final class WebSocketConnection {
    /// Limits for one connection.
    public struct Configuration: Sendable {
        /// Largest client message accepted; a larger one is closed with 1009
        /// before its payload is buffered. Client messages are small
        /// subscribe/unsubscribe lists, so the default is a few KiB.
        public var maxMessageBytes: Int = 4096

        public init(maxMessageBytes: Int = 4096) {
            self.maxMessageBytes = maxMessageBytes
        }
    }

    /// What the peer did, as seen by the transport.
    public enum Event: Equatable, Sendable {
        /// A complete, valid UTF-8 text message.
        case text(String)
        /// The answer to one of our pings (liveness).
        case pong
        /// The peer sent a close frame (first or in answer to ours); the
        /// echo, if owed, is already in the output. 1005 means "no code".
        case closeReceived(code: UInt16, reason: String)
        /// We closed because the peer broke the protocol or our rules
        /// (1002, 1003, 1007, 1009, 1011); the close frame is in the output.
        case failed(code: UInt16, reason: String)
    }

    /// Who started the closing handshake, so each close is reported once.
    enum Closing: Equatable {
        case open, byUs, byPeer, failed
    }

    let configuration: Configuration
    /// Set once in `init`; freed in `deinit`. Only this class touches it.
    private var context: OpaquePointer?
    /// Bytes wslay produced and the transport has not yet taken.
    var output: [UInt8] = []
    /// The caller's bytes during `receive(_:)` only; the recv trampoline reads from here.
    var input: UnsafeRawBufferPointer?
    var inputOffset = 0
    var events: [Event] = []
    var closing = Closing.open
    /// A frame-header error stopped wslay itself; it must not write again.
    private var broken = false

    /// Creates the context with server role (expects masked client frames)
    /// and the message size limit.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var callbacks = Self.callbacks()
        var ctx: OpaquePointer?
        let rc = wslay_event_context_server_init(&ctx, &callbacks, Unmanaged.passUnretained(self).toOpaque())
        // wslay fails only when malloc does.
        precondition(rc == 0 && ctx != nil, "wslay_event_context_server_init failed (\(rc))")
        context = ctx
        wslay_event_config_set_max_recv_msg_length(ctx, UInt64(configuration.maxMessageBytes))
    }

    deinit {
        // The context holds `self` unretained; it dies with us, so no callback can outlive it.
        if let context { wslay_event_context_free(context) }
    }

    /// True while the peer may still send frames we must read (until its close arrives or we failed).
    public var wantsRead: Bool {
        guard let context, !broken else { return false }
        return wslay_event_want_read(context) != 0
    }

    /// True while there are bytes to write.
    /// wslay's own queue is always empty between calls (its send trampoline
    /// never blocks), so this is just "output not yet taken".
    public var wantsWrite: Bool { !output.isEmpty }

    /// True when both directions are done: the transport may close the socket
    /// once it has written the last output.
    public var isFinished: Bool { !wantsRead && !wantsWrite }

    /// Bytes queued for the socket, not yet taken.
    public var pendingOutputCount: Int { output.count }

    /// Hands over everything to write, in order, and forgets it.
    public func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// Feeds bytes read from the socket; returns what they meant.
    public func receive(_ bytes: [UInt8]) -> [Event] {
        bytes.withUnsafeBytes { receive($0) }
    }

    /// Feeds bytes read from the socket (valid only during the call); returns what they meant.
    public func receive(_ bytes: UnsafeRawBufferPointer) -> [Event] {
        guard let context, !broken else { return [] }
        input = bytes
        inputOffset = 0
        let rc = wslay_event_recv(context)
        input = nil
        if rc != 0 {
            breakOff(rc)
        } else {
            flush()
            noteCloseStartedByWslay()
        }
        defer { events.removeAll() }
        return events
    }

    /// Queues one text message. Returns false once closing (the message is dropped).
    @discardableResult
    public func sendText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { queue(opcode: WSLAY_TEXT_FRAME, payload: UnsafeRawBufferPointer($0)) }
    }

    /// Queues a ping (at most 125 bytes of payload); the answer arrives as `.pong`.
    @discardableResult
    public func sendPing(_ payload: [UInt8] = []) -> Bool {
        payload.withUnsafeBytes { queue(opcode: WSLAY_PING, payload: $0) }
    }

    /// Starts the closing handshake; `reason` is cut to the 123 bytes a close frame allows.
    public func close(code: UInt16, reason: String) {
        guard let context, !broken, closing == .open else { return }
        let bytes = Self.closeReason(reason)
        let rc = bytes.withUnsafeBufferPointer {
            wslay_event_queue_close(context, code, $0.baseAddress, $0.count)
        }
        if rc == 0 { closing = .byUs }
        flush()
    }

    private func queue(opcode: wslay_opcode, payload: UnsafeRawBufferPointer) -> Bool {
        guard let context, !broken, closing == .open else { return false }
        var message = wslay_event_msg(
            opcode: UInt8(opcode.rawValue),
            msg: payload.baseAddress?.assumingMemoryBound(to: UInt8.self),
            msg_length: payload.count)
        let rc = wslay_event_queue_msg(context, &message)
        flush()
        return rc == 0
    }

    /// Moves everything wslay has queued into `output` (the send trampoline never blocks).
    private func flush() {
        guard let context, !broken else { return }
        _ = wslay_event_send(context)
    }

    /// wslay closes by itself on masking, opcode, RSV, size and UTF-8 errors;
    /// report that once, with the code it sent.
    private func noteCloseStartedByWslay() {
        guard let context, closing == .open, wslay_event_get_close_sent(context) != 0 else { return }
        closing = .failed
        let code = wslay_event_get_status_code_sent(context)
        events.append(.failed(code: code, reason: Self.describe(code, limit: configuration.maxMessageBytes)))
    }

    /// A frame-header error (fragmented or oversized control frame, bad
    /// length encoding) makes `wslay_event_recv` fail after queueing a close
    /// with no status code. We drop that frame and write our own 1002 (or
    /// 1011 if wslay ran out of memory), then never touch wslay's output again.
    private func breakOff(_ rc: Int32) {
        broken = true
        guard closing == .open else { return }
        closing = .failed
        let code: UInt16 = rc == WSLAY_ERR_NOMEM.rawValue ? 1011 : 1002
        let reason = code == 1011 ? "out of memory" : "invalid frame header"
        output += Self.closeFrame(code: code, reason: reason)
        events.append(.failed(code: code, reason: reason))
    }
}
