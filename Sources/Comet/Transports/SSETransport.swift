/// Server-sent events (`text/event-stream`), readable by a plain browser
/// `EventSource`: `id:` lines carry the cursor, so the browser's own
/// reconnect (`Last-Event-ID`) resumes exactly.
struct SSETransport: StreamTransport {
    var contentType: String { "text/event-stream; charset=utf-8" }
    var tickFrame: EncodedTick.FrameKind? { .sse }

    func preamble(retryMilliseconds: Int) -> [UInt8] {
        Array(":\(String(repeating: " ", count: streamPaddingBytes))\nretry: \(retryMilliseconds)\n\n".utf8)
    }

    func appendEvent(_ name: String, json: String, id: StreamCursor?, to out: inout [UInt8]) {
        if let id { out.append(contentsOf: "id: \(id)\n".utf8) }
        out.append(contentsOf: "event: \(name)\ndata: \(json)\n\n".utf8)
    }

    func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8]) {
        for t in ticks { out.append(contentsOf: t.sse) }
    }

    /// A pair id line, then the shared frame's `event:` and `data:` lines.
    func appendTicks(_ ticks: [EncodedTick], ids: [StreamCursor], to out: inout [UInt8]) {
        for (t, id) in zip(ticks, ids) {
            out.append(contentsOf: "id: \(id)\n".utf8)
            out.append(contentsOf: t.sseWithoutID)
        }
    }

    func heartbeat(cursor: StreamCursor) -> [UInt8] { Array(": hb\nid: \(cursor)\n\n".utf8) }
}
