/// The forever frame: a hidden iframe's `text/html` document that never ends,
/// one `<script>parent.Ticker._push(name, data, id)</script>` per event.
/// The JSON is escaped (`JSON.appendString` writes `<`, `>`, `&` as `\u` escapes)
/// so that `</script>` or `<!--` inside a value can never break out.
struct ForeverFrameTransport: StreamTransport {
    var contentType: String { "text/html; charset=utf-8" }
    var tickFrame: EncodedTick.FrameKind? { .script }

    func preamble(retryMilliseconds: Int) -> [UInt8] {
        let pad = String(repeating: " ", count: streamPaddingBytes)
        return Array("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><!--\(pad)-->\n".utf8)
    }

    func appendEvent(_ name: String, json: String, id: Int64?, to out: inout [UInt8]) {
        out.append(contentsOf: "<script>parent.Ticker._push(\"\(name)\",\(json)".utf8)
        if let id { out.append(contentsOf: ",\(id)".utf8) }
        out.append(contentsOf: ")</script>\n".utf8)
    }

    func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8]) {
        for t in ticks { out.append(contentsOf: t.script) }
    }

    func heartbeat(cursor: Int64) -> [UInt8] {
        var out: [UInt8] = []
        append(.heartbeat(cursor: cursor), to: &out)
        return out
    }
}
