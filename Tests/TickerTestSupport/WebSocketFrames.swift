/// Hand-built WebSocket frames for the tests: what a client (or an attacker)
/// puts on the wire, and a reader for what the server wrote back.
public enum Frames {
    public static let text: UInt8 = 0x1, binary: UInt8 = 0x2, continuation: UInt8 = 0x0
    public static let close: UInt8 = 0x8, ping: UInt8 = 0x9, pong: UInt8 = 0xA

    /// One client frame; masked unless told otherwise, as RFC 6455 requires of clients.
    public static func client(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            out.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(maskBit | 127)
            out += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        guard masked else { return out + payload }
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        return out + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    public static func client(text: String) -> [UInt8] { client(Self.text, Array(text.utf8)) }

    /// A client close frame with a code and reason.
    public static func client(closeCode code: UInt16, reason: String = "") -> [UInt8] {
        client(close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// One server frame as read back.
    public struct Frame: Equatable {
        public var opcode: UInt8
        public var payload: [UInt8]
        public var text: String { String(decoding: payload, as: UTF8.self) }
        /// The status code of a close frame (1005 when it carries none).
        public var closeCode: UInt16? {
            guard opcode == Frames.close else { return nil }
            return payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
        }
        public var closeReason: String { String(decoding: payload.dropFirst(2), as: UTF8.self) }

        public init(opcode: UInt8, payload: [UInt8]) {
            self.opcode = opcode
            self.payload = payload
        }
    }

    /// Parses unmasked server frames; fails the test on anything malformed.
    public static func server(_ bytes: [UInt8]) -> [Frame]? {
        var frames: [Frame] = []
        var i = 0
        while i < bytes.count {
            guard i + 2 <= bytes.count, bytes[i + 1] & 0x80 == 0 else { return nil }
            let opcode = bytes[i] & 0x0F
            var length = Int(bytes[i + 1] & 0x7F)
            i += 2
            if length == 126 {
                guard i + 2 <= bytes.count else { return nil }
                length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
                i += 2
            } else if length == 127 {
                guard i + 8 <= bytes.count else { return nil }
                length = bytes[i..<i + 8].reduce(0) { $0 << 8 | Int($1) }
                i += 8
            }
            guard i + length <= bytes.count else { return nil }
            frames.append(Frame(opcode: opcode, payload: Array(bytes[i..<i + length])))
            i += length
        }
        return frames
    }
}
