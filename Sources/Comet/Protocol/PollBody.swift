import Quotes

/// The `/poll` response body: `{"cursor":N,"ticks":[...]}`, flagged
/// `"snapshot":true` for a first poll, `"reset":true` for an unknown cursor,
/// `"database":"down"` while the server's database is unreachable, and
/// `"bye":true` with a `retry` hint when a held poll is answered because the
/// server is stopping (so a client does not take it for a proxy's cut);
/// `cb({...});` for JSONP.
struct PollBody {
    var cursor: StreamCursor
    var ticks: [EncodedTick]
    var snapshot = false
    var reset = false
    var databaseDown = false
    /// Milliseconds to wait before polling again, when the server is stopping.
    var byeRetry: Int?
    /// The delay and the symbols served delayed, when any are.
    var delay: ControlEvent.Delay?

    func render(callback: String?) -> String {
        var w = JSONWriter()
        w.field("cursor", raw: cursor.json)
        if snapshot { w.field("snapshot", true) }
        if reset { w.field("reset", true) }
        if databaseDown { w.field("database", "down") }
        if let byeRetry {
            w.field("bye", true)
            w.field("retry", byeRetry)
        }
        if let delay {
            w.field("delay", delay.seconds)
            w.field("delayed", strings: delay.symbols)
        }
        w.field("ticks", rawArray: ticks.lazy.map(\.json))
        if let callback { return "/**/\(callback)(\(w.json));" }
        return w.json
    }
}
