import EventHTTP

/// Long polling: a poll with nothing to answer yet is parked. Its headers go
/// out at once (so that a client that leaves is noticed: evhttp stops reading
/// a request whose reply has not started); the body goes out with the first
/// ticks for its symbols, or when its wait ends, and then the request is done.
final class LongPollTransport: TickSubscriber {
    let request: HTTPRequest
    let callback: String?
    var timer: LoopEvent?
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

    override func deliver() { answer(PollBody(cursor: ticks.last!.id, ticks: ticks)) }

    /// The wait ended, or the server is stopping: answers `body`, which has no
    /// ticks. Nothing for these symbols exists up to its cursor (the server's,
    /// now), so the client moves on to it instead of asking again from an old
    /// position that may fall off the log.
    func expire(_ body: PollBody) { answer(body) }

    /// The client went away: no answer, just forget it.
    func abandon() {
        finished = true
        timer = nil
        onFinish?(self)
    }

    private func answer(_ body: PollBody) {
        guard !finished else { return }
        finished = true
        answered = true
        timer = nil
        request.send(Array(body.render(callback: callback).utf8))
        request.endStream()
        onFinish?(self)
    }
}
