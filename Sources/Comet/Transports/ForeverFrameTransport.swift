import Quotes

/// The forever frame: a hidden iframe's `text/html` document that never ends,
/// one `<script>p(name, data, id)</script>` per event. `p`, defined once in
/// the preamble, calls `parent.Ticker._push` when the page is of the same
/// origin, and otherwise posts the event to the parent window
/// (`{ticker: [name, data, id]}`, to the origin the client named, else `*`):
/// the frame then works across origins, where `parent` is out of reach.
/// The JSON is escaped (`JSON.appendString` writes `<`, `>`, `&` as `\u` escapes)
/// so that `</script>` or `<!--` inside a value can never break out.
struct ForeverFrameTransport: StreamTransport {
    /// Sets the origin events are posted to (a JSON string literal, escaped).
    static func targetOrigin(_ origin: String) -> [UInt8] {
        Array("<script>O=\(JSON.string(origin))</script>\n".utf8)
    }

    var contentType: String { "text/html; charset=utf-8" }
    var tickFrame: EncodedTick.FrameKind? { .script }

    func preamble(retryMilliseconds: Int) -> [UInt8] {
        let pad = String(repeating: " ", count: streamPaddingBytes)
        return Array(("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><!--\(pad)-->\n"
            + "<script>var O=\"*\";function p(n,d,i){try{parent.Ticker._push(n,d,i);return}catch(e){}"
            + "parent.postMessage({ticker:[n,d,i]},O)}</script>\n").utf8)
    }

    func appendEvent(_ name: String, json: String, id: StreamCursor?, to out: inout [UInt8]) {
        out.append(contentsOf: "<script>p(\"\(name)\",\(json)".utf8)
        if let id { out.append(contentsOf: ",\(id.json)".utf8) }
        out.append(contentsOf: ")</script>\n".utf8)
    }

    func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8]) {
        for t in ticks { out.append(contentsOf: t.script) }
    }

    /// The tick's shared (escaped) JSON with a pair id.
    func appendTicks(_ ticks: [EncodedTick], ids: [StreamCursor], to out: inout [UInt8]) {
        for (t, id) in zip(ticks, ids) {
            out.append(contentsOf: "<script>p(\"tick\",".utf8)
            out.append(contentsOf: t.json)
            out.append(contentsOf: ",\(id.json))</script>\n".utf8)
        }
    }

    func heartbeat(cursor: StreamCursor) -> [UInt8] {
        var out: [UInt8] = []
        append(.heartbeat(cursor: cursor), to: &out)
        return out
    }
}
