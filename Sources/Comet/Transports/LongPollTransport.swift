import EventHTTP

/// Long polling: a poll with nothing to answer yet is parked. Its headers go
/// out at once (so that a client that leaves is noticed: evhttp stops reading
/// a request whose reply has not started); the body goes out with the first
/// ticks for its symbols, or when its wait ends, and then the request is done.
final class LongPollTransport: TickSubscriber {
    let request: HTTPRequest
    let callback: String?
    var timer: LoopEvent?
    /// The cursor a poll mixing live and delayed symbols answers with (both
    /// hubs' cursors: every tick of its symbols up to them is in the answer).
    var mixedCursor: (() -> StreamCursor)?
    /// Added to every answer (`delay`, `delayed`).
    var delay: ControlEvent.Delay?
    private var ticks: [EncodedTick] = []
    /// Called once, when the poll has answered or its client left (the server unregisters it).
    var onFinish: ((LongPollTransport) -> Void)?
    private(set) var finished = false
    /// True when it answered (not abandoned by a client that left).
    private(set) var answered = false

    init(request: HTTPRequest, symbols: [String], callback: String?) {
        self.request = request
        self.callback = callback
        super.init(symbols: symbols)
    }

    override func accept(_ tick: EncodedTick) { ticks.append(tick) }

    override func deliver() {
        guard !ticks.isEmpty else { return }
        answer(PollBody(cursor: mixedCursor?() ?? StreamCursor(ticks.last!.id), ticks: ticks))
    }

    /// The cursor to answer with when nothing came: the hub's (both hubs' when mixed).
    func cursorNow() -> StreamCursor { mixedCursor?() ?? StreamCursor(home?.cursor ?? 0) }

    /// The wait ended, or the server is stopping: answers `body`, which has no
    /// ticks. Nothing for these symbols exists up to its cursor (the server's,
    /// now), so the client moves on to it instead of asking again from an old
    /// position that may fall off the log.
    func expire(_ body: PollBody) { answer(body) }

    /// The client went away: no answer, just forget it.
    func abandon() {
        guard !finished else { return }
        finished = true
        timer = nil
        onFinish?(self)
    }

    private func answer(_ body: PollBody) {
        guard !finished else { return }
        finished = true
        answered = true
        timer = nil
        var body = body
        body.delay = delay
        request.send(Array(body.render(callback: callback).utf8))
        // Forgotten before the reply ends: for a client without keep-alive
        // (HTTP/1.0) evhttp frees the request and the connection inside
        // `endStream`, and the close callback must not find the poll still
        // tracked (it counted the poll twice and freed the request again).
        onFinish?(self)
        request.endStream()
    }
}
