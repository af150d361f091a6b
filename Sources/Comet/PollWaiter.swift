import Quotes

/// A parked long poll: its headers are already sent (so a client that leaves
/// is noticed); the body goes out with the first ticks for its symbols or when
/// its wait ends, and then the request is done.
final class PollWaiter: TickSubscriber {
    let request: HTTPRequest
    let since: Int64
    let callback: String?
    var timer: LoopEvent?
    private var ticks: [EncodedTick] = []
    /// Called once, when the waiter has answered (the server unregisters it).
    var onFinish: ((PollWaiter) -> Void)?
    private(set) var finished = false
    /// True when it answered (not abandoned by a client that left).
    private(set) var answered = false

    init(request: HTTPRequest, symbols: [String], since: Int64, callback: String?) {
        self.request = request
        self.since = since
        self.callback = callback
        super.init(symbols: symbols)
    }

    override func accept(_ tick: EncodedTick) { ticks.append(tick) }

    override func deliver() { answer(cursor: ticks.last?.id ?? since, ticks: ticks) }

    /// Sends the poll body and ends the request.
    func answer(cursor: Int64, ticks: [EncodedTick]) {
        guard !finished else { return }
        finished = true
        answered = true
        timer = nil
        request.send(Array(PollBody.render(cursor: cursor, ticks: ticks, callback: callback).utf8))
        request.endStream()
        onFinish?(self)
    }

    /// The client went away: no answer, just forget it.
    func abandon() {
        finished = true
        timer = nil
        onFinish?(self)
    }
}

/// The `/poll` response body: `{"cursor":N,"ticks":[...]}`, or `cb({...});` for JSONP.
enum PollBody {
    static func render(cursor: Int64, ticks: [EncodedTick], callback: String?, extra: String = "") -> String {
        var body = "{\"cursor\":\(cursor)\(extra),\"ticks\":["
        var first = true
        for t in ticks {
            if !first { body += "," }
            body += String(decoding: t.json, as: UTF8.self)
            first = false
        }
        body += "]}"
        if let callback { return "/**/\(callback)(\(body));" }
        return body
    }
}
