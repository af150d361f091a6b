/// The bench's WebSocket subscribers (`ticker bench --transport ws`): the
/// upgrade request, then server frames read in place: `hello` opens, each
/// `{"event":"tick","data":{"id":N,...}}` is a delivery, pings are answered
/// so the server's idle timeout never fires during a long run. Against nchan
/// a socket is open once its upgrade is answered, and each text frame is the
/// published message itself (`{"id":N,...}`).
extension BenchSubscribers {
    static func upgradeRequest(host: String, path: String) -> [UInt8] {
        Array(("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
    }

    /// A masked, empty pong (the server's pings carry no payload).
    static let pong: [UInt8] = [0x8A, 0x80, 0, 0, 0, 0]
    static let tickPrefix = Array("{\"event\":\"tick\",\"data\":{\"id\":".utf8)
    static let helloPrefix = Array("{\"event\":\"hello\"".utf8)
    static let nchanPrefix = Array("{\"id\":".utf8)

    func readFrames(_ c: Conn, _ bytes: UnsafeRawBufferPointer, _ now: Double) {
        c.line.append(contentsOf: bytes)
        var i = 0
        if !c.inBody {
            guard let end = c.line.firstRange(of: [13, 10, 13, 10]) else { return }
            c.inBody = true
            i = end.upperBound
            if target == .nchan { markOpen(c) }
        }
        let b = c.line
        while b.count - i >= 2 {
            let opcode = b[i] & 0x0F
            var length = Int(b[i + 1] & 0x7F), head = 2
            if length == 126 {
                guard b.count - i >= 4 else { break }
                length = Int(b[i + 2]) << 8 | Int(b[i + 3])
                head = 4
            } else if length == 127 {
                guard b.count - i >= 10 else { break }
                length = b[(i + 2)..<(i + 10)].reduce(0) { $0 << 8 | Int($1) }
                head = 10
            }
            guard b.count - i >= head + length else { break }
            let payload = b[(i + head)..<(i + head + length)]
            if opcode == 0x1 {
                let prefix = target == .nchan ? Self.nchanPrefix : Self.tickPrefix
                if payload.starts(with: prefix) {
                    let digits = payload.dropFirst(prefix.count).prefix { $0 >= 48 && $0 <= 57 }
                    record(Delivery(subscriber: c.index, id: Int64(String(decoding: digits, as: UTF8.self)) ?? 0, at: now))
                } else if payload.starts(with: Self.helloPrefix) {
                    markOpen(c)
                }
            } else if opcode == 0x9 {
                c.client?.write(Self.pong)
            }
            i += head + length
        }
        c.line.removeSubrange(..<i)
    }
}
