/// One Bayeux client's connection state, as a plain value: the route tells it
/// what happened (a connect arrived, messages are waiting, a held connect was
/// answered, time passed) and performs what it returns. No sockets here, so
/// every rule has a unit test (`BayeuxSessionTests`).
///
/// A client is `handshaken` until its first `/meta/connect`, which is
/// answered at once (clients such as aiocometd-ng wait for that reply before
/// they report "open"). Later connects are `held` until messages arrive or
/// `holdSeconds` pass. Between connects it is `idle`; a client idle (or never
/// connected) for longer than `maxIdleSeconds` is forgotten: it stopped
/// polling, and a later message from it is told to handshake again.
struct BayeuxSession: Equatable {
    enum State: Equatable {
        case handshaken
        case idle
        case held
        case disconnected
    }

    /// What to do with a `/meta/connect`.
    enum ConnectAction: Equatable {
        /// Answer it now (first connect, or messages are waiting).
        case answerNow
        /// Hold it up to `seconds`.
        case hold(seconds: Double)
        /// Another connect is held already (one outstanding connect per
        /// client): answer that one now, then hold this one.
        case answerHeldAndHold(seconds: Double)
        /// As `answerHeldAndHold`, but this one asked not to be held either.
        case answerHeldAndAnswer
        /// The client disconnected: refuse (it must handshake again).
        case refuse
    }

    let holdSeconds: Double
    let maxIdleSeconds: Double
    private(set) var state = State.handshaken
    /// When the client was last heard from or last had a connect answered.
    private(set) var lastSeen: Double

    init(now: Double, holdSeconds: Double, maxIdleSeconds: Double) {
        lastSeen = now
        self.holdSeconds = holdSeconds
        self.maxIdleSeconds = maxIdleSeconds
    }

    /// A `/meta/connect` arrived; `waiting` is true when messages are queued
    /// for the client; `asked` is the hold the client asked for (its
    /// `advice.timeout`, seconds), if any: never longer than ours, 0 for none.
    mutating func connect(now: Double, waiting: Bool, asked: Double? = nil) -> ConnectAction {
        lastSeen = now
        let hold = min(holdSeconds, asked ?? holdSeconds)
        switch state {
        case .disconnected:
            return .refuse
        case .handshaken:
            state = .idle
            return .answerNow
        case .idle:
            if waiting || hold <= 0 { return .answerNow }
            state = .held
            return .hold(seconds: hold)
        case .held:
            // The earlier connect answers now, with whatever is queued; this one waits.
            if hold <= 0 {
                state = .idle
                return .answerHeldAndAnswer
            }
            return .answerHeldAndHold(seconds: hold)
        }
    }

    /// Messages were queued: true when a held connect must answer now.
    func shouldAnswerHeld() -> Bool { state == .held }

    /// The held connect was answered (messages, its time was up, or a newer
    /// connect replaced it) or its client left: the client is idle again.
    mutating func heldAnswered(now: Double) {
        guard state == .held else { return }
        state = .idle
        lastSeen = now
    }

    /// Any other message from the client keeps it alive.
    mutating func heard(now: Double) {
        if state != .disconnected { lastSeen = now }
    }

    /// `/meta/disconnect`: true when a held connect must be answered first.
    mutating func disconnect() -> Bool {
        let wasHeld = state == .held
        state = .disconnected
        return wasHeld
    }

    /// True when the client stopped connecting long enough ago to be forgotten.
    /// A held client is never expired: its connect is its proof of life.
    func isExpired(now: Double) -> Bool {
        switch state {
        case .held: return false
        case .disconnected: return true
        case .handshaken, .idle: return now - lastSeen > maxIdleSeconds
        }
    }
}
