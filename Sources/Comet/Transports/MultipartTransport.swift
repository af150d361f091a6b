/// Netscape server push: `multipart/x-mixed-replace`, one JSON part per event
/// or per batch of ticks (`{"event":"ticks","data":[...],"id":N}`). Every
/// part ends with the next delimiter line, so a reader can act on a part as
/// soon as its delimiter arrives.
struct MultipartTransport: StreamTransport {
    /// Boundary of the parts; clients read it from the Content-Type.
    static let boundary = "tickerpart"

    var contentType: String { "multipart/x-mixed-replace; boundary=\(Self.boundary)" }
    /// One part per batch: framed per subscriber.
    var tickFrame: EncodedTick.FrameKind? { nil }

    func preamble(retryMilliseconds: Int) -> [UInt8] { Array("--\(Self.boundary)\r\n".utf8) }

    func appendEvent(_ name: String, json: String, id: StreamCursor?, to out: inout [UInt8]) {
        out.append(contentsOf: "Content-Type: application/json\r\n\r\n{\"event\":\"\(name)\",\"data\":\(json)".utf8)
        if let id { out.append(contentsOf: ",\"id\":\(id.json)".utf8) }
        out.append(contentsOf: "}\r\n--\(Self.boundary)\r\n".utf8)
    }

    func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8]) {
        var last: Int64 = 0
        out.append(contentsOf: "Content-Type: application/json\r\n\r\n{\"event\":\"ticks\",\"data\":[".utf8)
        var first = true
        for t in ticks {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: t.json)
            first = false
            last = t.id
        }
        out.append(contentsOf: "],\"id\":\(last)}\r\n--\(Self.boundary)\r\n".utf8)
    }

    /// One part per batch, as for plain ids; the part's id is the last pair.
    func appendTicks(_ ticks: [EncodedTick], ids: [StreamCursor], to out: inout [UInt8]) {
        guard let last = ids.last else { return }
        out.append(contentsOf: "Content-Type: application/json\r\n\r\n{\"event\":\"ticks\",\"data\":[".utf8)
        for (i, t) in ticks.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: t.json)
        }
        out.append(contentsOf: "],\"id\":\(last.json)}\r\n--\(Self.boundary)\r\n".utf8)
    }

    func heartbeat(cursor: StreamCursor) -> [UInt8] {
        var out: [UInt8] = []
        append(.heartbeat(cursor: cursor), to: &out)
        return out
    }
}
