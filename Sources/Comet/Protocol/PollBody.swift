import Quotes

/// The `/poll` response body: `{"cursor":N,"ticks":[...]}`, flagged
/// `"snapshot":true` for a first poll and `"reset":true` for an unknown
/// cursor; `cb({...});` for JSONP.
struct PollBody {
    var cursor: Int64
    var ticks: [EncodedTick]
    var snapshot = false
    var reset = false

    func render(callback: String?) -> String {
        var w = JSONWriter()
        w.field("cursor", cursor)
        if snapshot { w.field("snapshot", true) }
        if reset { w.field("reset", true) }
        w.field("ticks", rawArray: ticks.lazy.map(\.json))
        if let callback { return "/**/\(callback)(\(w.json));" }
        return w.json
    }
}
