/// Server-to-client frames built once and sent to many streams.
///
/// A tick goes to every subscriber of its symbol in the same bytes; framing
/// it once per tick (instead of once per subscriber through wslay, which
/// copies each message into its own queue) lets `WebSocketStream.sendFrames`
/// gather shared frames into one `sendmsg`, the way streams send their
/// pre-chunked SSE frames. Server frames are never masked.
public enum WebSocketFrame {
    /// The header of a final, unmasked text frame carrying `length` bytes.
    public static func textHeader(length: Int) -> [UInt8] {
        if length < 126 { return [0x81, UInt8(length)] }
        if length <= 0xFFFF { return [0x81, 126, UInt8(length >> 8), UInt8(length & 0xFF)] }
        return [0x81, 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(length) >> (8 * UInt64($0))) }
    }

    /// A whole text frame: header and payload (UTF-8, which the caller guarantees).
    public static func text(_ payload: [UInt8]) -> [UInt8] {
        textHeader(length: payload.count) + payload
    }
}
