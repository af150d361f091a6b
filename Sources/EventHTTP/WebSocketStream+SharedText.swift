import Glibc

/// Text messages whose middle is shared by many subscribers (a tick's JSON,
/// in a `SharedBytes` block) and whose ends are the subscriber's own (an id
/// that differs per subscriber): framed and gathered here, so callers never
/// build an `iovec` and the shared bytes are never copied per subscriber
/// (unless the socket does not take them at once).
extension WebSocketStream {
    /// One message: `head`, then `shared`, then `tail`.
    public struct SharedText {
        public var head: [UInt8]
        /// Valid until `sendTexts` returns (the caller holds its owner).
        public var shared: UnsafeRawBufferPointer
        public var tail: [UInt8]

        public init(head: [UInt8], shared: UnsafeRawBufferPointer, tail: [UInt8]) {
            self.head = head
            self.shared = shared
            self.tail = tail
        }
    }

    /// Sends `messages` as text frames in one gather-write.
    /// - Returns: false once closing or closed.
    @discardableResult
    public func sendTexts(_ messages: [SharedText]) -> Bool {
        guard !messages.isEmpty else { return isOpen }
        // The own bytes of every message in one array: frame header + head, then tail.
        var own: [UInt8] = []
        var spans: [(head: Range<Int>, tail: Range<Int>)] = []
        spans.reserveCapacity(messages.count)
        for m in messages {
            let start = own.count
            own += WebSocketFrame.textHeader(length: m.head.count + m.shared.count + m.tail.count)
            own += m.head
            let middle = own.count
            own += m.tail
            spans.append((start..<middle, middle..<own.count))
        }
        return own.withUnsafeMutableBytes { raw in
            var parts: [iovec] = []
            parts.reserveCapacity(messages.count * 3)
            for (m, s) in zip(messages, spans) {
                parts.append(iovec(iov_base: raw.baseAddress! + s.head.lowerBound, iov_len: s.head.count))
                parts.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: m.shared.baseAddress), iov_len: m.shared.count))
                parts.append(iovec(iov_base: raw.baseAddress! + s.tail.lowerBound, iov_len: s.tail.count))
            }
            return parts.withUnsafeMutableBufferPointer { sendFrames($0) }
        }
    }
}
