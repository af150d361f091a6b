import Quotes

/// A tick with its renderings, made once when the tick enters the core and
/// shared by every subscriber (Pushpin's "one rendering per format").
struct EncodedTick: Sendable {
    let tick: Tick
    let json: [UInt8]
    /// `id:`/`event: tick`/`data:` frame, for `sse` and `xhr`.
    let sse: [UInt8]
    /// `<script>` chunk, for `iframe`.
    let script: [UInt8]

    var id: Int64 { tick.id }

    init(_ tick: Tick) {
        self.tick = tick
        let json = tick.json
        self.json = Array(json.utf8)
        var sse: [UInt8] = []
        SSETransport().appendEvent("tick", json: json, id: tick.id, to: &sse)
        self.sse = sse
        var script: [UInt8] = []
        ForeverFrameTransport().appendEvent("tick", json: json, id: tick.id, to: &script)
        self.script = script
    }
}
