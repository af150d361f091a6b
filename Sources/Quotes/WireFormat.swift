/// The streaming wire formats of DESIGN.md §5. Each names its content type and
/// knows how to frame an event; the fan-out core never formats text itself.
public enum WireFormat: String, CaseIterable, Sendable {
    /// `text/event-stream`, readable by a plain browser `EventSource`.
    case sse
    /// The same framing as `sse`, served as `text/plain` for fetch/XHR readers.
    case xhr
    /// The forever frame: `text/html` with one `<script>` per event.
    case iframe
    /// `multipart/x-mixed-replace`: one JSON part per event or batch.
    case multipart

    /// Boundary of the multipart transport's parts.
    public static let boundary = "tickerpart"
    /// Bytes of padding sent first, past the flush threshold of buffering proxies.
    public static let paddingBytes = 2048

    public var contentType: String {
        switch self {
        case .sse: return "text/event-stream; charset=utf-8"
        case .xhr: return "text/plain; charset=utf-8"
        case .iframe: return "text/html; charset=utf-8"
        case .multipart: return "multipart/x-mixed-replace; boundary=\(Self.boundary)"
        }
    }

    /// What opens the stream: padding (and for SSE the `retry:` hint).
    public func preamble(retryMilliseconds: Int) -> [UInt8] {
        let pad = String(repeating: " ", count: Self.paddingBytes)
        switch self {
        case .sse, .xhr:
            return Array(":\(pad)\nretry: \(retryMilliseconds)\n\n".utf8)
        case .iframe:
            return Array("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><!--\(pad)-->\n".utf8)
        case .multipart:
            return Array("--\(Self.boundary)\r\n".utf8) // every part ends with the next delimiter line
        }
    }

    /// Appends one named event whose data is the JSON text `json`; `id` sets the
    /// SSE last-event-id (the cursor a reconnect resumes from).
    public func appendEvent(_ name: String, json: String, id: Int64? = nil, to out: inout [UInt8]) {
        switch self {
        case .sse, .xhr:
            if let id { out.append(contentsOf: "id: \(id)\n".utf8) }
            out.append(contentsOf: "event: \(name)\ndata: \(json)\n\n".utf8)
        case .iframe:
            out.append(contentsOf: "<script>parent.Ticker._push(\"\(name)\",\(json)".utf8)
            if let id { out.append(contentsOf: ",\(id)".utf8) }
            out.append(contentsOf: ")</script>\n".utf8)
        case .multipart:
            out.append(contentsOf: "Content-Type: application/json\r\n\r\n{\"event\":\"\(name)\",\"data\":\(json)".utf8)
            if let id { out.append(contentsOf: ",\"id\":\(id)".utf8) }
            out.append(contentsOf: "}\r\n--\(Self.boundary)\r\n".utf8)
        }
    }

    /// Appends a batch of ticks: one `tick` event per tick, or for multipart
    /// one `ticks` part holding them all. Renderings come from `EncodedTick`,
    /// made once per tick, so this only copies bytes.
    public func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8]) {
        switch self {
        case .sse, .xhr:
            for t in ticks { out.append(contentsOf: t.sse) }
        case .iframe:
            for t in ticks { out.append(contentsOf: t.script) }
        case .multipart:
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
    }

    /// A keep-alive that also carries the cursor, so a reconnect resumes from
    /// the newest position even when none of the client's symbols moved.
    public func heartbeat(cursor: Int64) -> [UInt8] {
        switch self {
        case .sse, .xhr: return Array(": hb\nid: \(cursor)\n\n".utf8)
        default:
            var out: [UInt8] = []
            appendEvent("heartbeat", json: "{\"cursor\":\(cursor)}", id: cursor, to: &out)
            return out
        }
    }
}

/// A tick with its renderings, made once when the tick enters the core and
/// shared by every subscriber (Pushpin's "one rendering per format").
public struct EncodedTick: Sendable {
    public let tick: Tick
    public let json: [UInt8]
    /// `id:`/`event: tick`/`data:` frame, for `sse` and `xhr`.
    public let sse: [UInt8]
    /// `<script>` chunk, for `iframe`.
    public let script: [UInt8]

    public var id: Int64 { tick.id }

    public init(_ tick: Tick) {
        self.tick = tick
        let json = tick.json
        self.json = Array(json.utf8)
        var sse: [UInt8] = []
        WireFormat.sse.appendEvent("tick", json: json, id: tick.id, to: &sse)
        self.sse = sse
        var script: [UInt8] = []
        WireFormat.iframe.appendEvent("tick", json: json, id: tick.id, to: &script)
        self.script = script
    }
}
