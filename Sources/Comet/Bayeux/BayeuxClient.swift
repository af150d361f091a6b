import EventHTTP

/// One Bayeux client (a `clientId`) on the hub: its session state, its
/// channels, the ticks queued for it, and its held connect. It outlives any
/// one request: a long-polling client is between requests most of the time.
///
/// The hub hands it ticks of its symbols, and every tick when it follows a
/// wildcard (`/quotes/*`, `/quotes/**`); it keeps those its channels match
/// and asks the registry to flush them once per wake-up.
final class BayeuxClient: TickSubscriber {
    let id: String
    /// The `BAYEUX_BROWSER` cookie it handshook with (several tabs of one
    /// browser share it: see `advice.multiple-clients`).
    let browser: String?
    var session: BayeuxSession
    var outbox: BayeuxOutbox
    private(set) var channels: Set<BayeuxChannel> = []
    /// The wildcards among `channels` (usually none).
    private(set) var wildcards: [BayeuxChannel] = []
    /// The connect held open, the link it answers on, and the replies of its
    /// batch that go out with it.
    var held: (link: BayeuxLink, request: (channel: String, id: String?), replies: [String])?
    /// Ends the held connect when its time is up.
    var heldTimer: LoopEvent?
    /// The open WebSocket it last used: deliveries are pushed there.
    weak var socket: BayeuxWebSocket?
    /// The WebSocket its last ticks were pushed on: an acknowledgement that
    /// comes on it may race ticks still in flight, so it resends nothing.
    var pushedOn: ObjectIdentifier?
    /// `ext.ticker.since` of the handshake: where subscribes without their own resume from.
    let since: Int64?
    /// Resumes reading from PostgreSQL (kept alive until they finish).
    var resumes: [ObjectIdentifier: BayeuxResume] = [:]
    /// Called when ticks were queued during a wake-up.
    var onTicks: ((BayeuxClient) -> Void)?
    private(set) var isGone = false

    init(id: String, peer: String, browser: String?, since: Int64?, session: BayeuxSession, queueLimit: Int) {
        self.id = id
        self.browser = browser
        self.since = since
        self.session = session
        outbox = BayeuxOutbox(limit: queueLimit)
        super.init(symbols: [])
        self.peer = peer
    }

    /// What its handshake's token allows (everything when the server is open).
    var pass = Pass.open
    /// Served from the delayed hub: its token grants delayed symbols only.
    var delayed = false

    /// Whether its token lets it have `symbol` from the hub it is on (a
    /// wildcard skips the others).
    func mayReceive(_ symbol: String) -> Bool {
        guard let claims = pass.claims else { return true }
        return claims.access(symbol) == (delayed ? .delayed : .live)
    }

    override func accept(_ tick: EncodedTick) {
        let symbol = tick.tick.symbol
        guard symbols.contains(symbol) || wildcards.contains(where: { $0.matches(symbol) }) else { return }
        if !wildcards.isEmpty, !mayReceive(symbol) { return }
        outbox.accept(tick)
    }

    override func deliver() { onTicks?(self) }

    /// Adds a channel; false when it was there already.
    func add(_ channel: BayeuxChannel) -> Bool {
        guard channels.insert(channel).inserted else { return false }
        if channel.isWildcard { wildcards.append(channel) }
        return true
    }

    func remove(_ channel: BayeuxChannel) {
        channels.remove(channel)
        wildcards.removeAll { $0 == channel }
    }

    /// True when some channel other than `channel` still carries `symbol`.
    func follows(_ symbol: String, besides channel: BayeuxChannel) -> Bool {
        channels.contains { $0 != channel && $0.matches(symbol) }
    }

    /// The client is forgotten: nothing more goes out.
    func markGone() {
        isGone = true
        resumes.removeAll()
    }
}
