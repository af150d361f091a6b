import CWslay

/// wslay's callbacks and the close-frame details.
///
/// The callbacks are non-capturing closures (C function pointers); the
/// connection reaches them as the context's `user_data`, passed unretained:
/// the connection owns the context and frees it in `deinit`, so the context
/// never outlives the object the pointer names.
extension WebSocketConnection {
    static func callbacks() -> wslay_event_callbacks {
        wslay_event_callbacks(
            recv_callback: { ctx, buf, len, _, user in
                WebSocketConnection.from(user).read(into: buf, count: len, context: ctx)
            },
            send_callback: { _, data, len, _, user in
                let connection = WebSocketConnection.from(user)
                if let data { connection.output.append(contentsOf: UnsafeBufferPointer(start: data, count: len)) }
                return len
            },
            genmask_callback: nil,  // servers do not mask
            on_frame_recv_start_callback: nil,
            on_frame_recv_chunk_callback: nil,
            on_frame_recv_end_callback: nil,
            on_msg_recv_callback: { ctx, arg, user in
                guard let arg else { return }
                WebSocketConnection.from(user).received(arg.pointee, context: ctx)
            })
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> WebSocketConnection {
        Unmanaged<WebSocketConnection>.fromOpaque(user!).takeUnretainedValue()
    }

    /// Copies from the caller's bytes; "would block" once they are used up.
    private func read(into buf: UnsafeMutablePointer<UInt8>?, count: Int, context: OpaquePointer?) -> Int {
        guard let input, let buf, inputOffset < input.count else {
            wslay_event_set_error(context, WSLAY_ERR_WOULDBLOCK.rawValue)
            return -1
        }
        let n = min(count, input.count - inputOffset)
        UnsafeMutableRawPointer(buf).copyMemory(from: input.baseAddress! + inputOffset, byteCount: n)
        inputOffset += n
        return n
    }

    /// One complete message. wslay has already answered pings and echoed closes.
    private func received(_ arg: wslay_event_on_msg_recv_arg, context: OpaquePointer?) {
        let payload = arg.msg.map { UnsafeBufferPointer(start: $0, count: arg.msg_length) } ?? UnsafeBufferPointer(start: nil, count: 0)
        switch UInt32(arg.opcode) {
        case WSLAY_TEXT_FRAME.rawValue:
            // wslay has validated the UTF-8 (1007 otherwise).
            if closing == .open { events.append(.text(String(decoding: payload, as: UTF8.self))) }
        case WSLAY_BINARY_FRAME.rawValue:
            guard closing == .open else { return }
            let reason = "binary messages are not supported"
            let bytes = Self.closeReason(reason)
            _ = bytes.withUnsafeBufferPointer { wslay_event_queue_close(context, 1003, $0.baseAddress, $0.count) }
            closing = .failed
            events.append(.failed(code: 1003, reason: reason))
        case WSLAY_PONG.rawValue:
            events.append(.pong)
        case WSLAY_CONNECTION_CLOSE.rawValue:
            let reason = payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : ""
            if closing == .open { closing = .byPeer }
            events.append(.closeReceived(code: arg.status_code == 0 ? 1005 : arg.status_code, reason: reason))
        default:
            break  // pings: wslay queued the pong
        }
    }

    /// `reason` as at most 123 UTF-8 bytes, cut at a character boundary.
    static func closeReason(_ reason: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for character in reason {
            let utf8 = Array(character.utf8)
            if bytes.count + utf8.count > 123 { break }
            bytes += utf8
        }
        return bytes
    }

    /// An unmasked server close frame, written by hand only when wslay can no longer write.
    static func closeFrame(code: UInt16, reason: String) -> [UInt8] {
        let reasonBytes = closeReason(reason)
        return [0x88, UInt8(2 + reasonBytes.count), UInt8(code >> 8), UInt8(code & 0xff)] + reasonBytes
    }

    /// A log line for the codes wslay sends without a reason.
    static func describe(_ code: UInt16, limit: Int) -> String {
        switch code {
        case 1002: return "protocol error (unmasked, reserved bits or bad opcode sequence)"
        case 1007: return "text message is not valid UTF-8"
        case 1009: return "message larger than \(limit) bytes"
        default: return "closed with code \(code)"
        }
    }
}
