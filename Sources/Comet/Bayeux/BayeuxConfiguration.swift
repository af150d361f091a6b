/// Settings of the Bayeux endpoint (`/cometd`); the defaults suit a public
/// server. docs/BAYEUX.md explains each to client authors.
public struct BayeuxConfiguration: Sendable {
    /// `advice.timeout`: how long a `/meta/connect` is held without ticks.
    /// Under common proxies' 30 s idle limit.
    public var connectTimeoutSeconds = 25.0
    /// A client that sends no `/meta/connect` for this long is forgotten
    /// (CometD's `maxInterval`); it must handshake again.
    public var maxIdleSeconds = 20.0
    /// Clients (clientIds) per address at most; 0: no limit. Behind a proxy
    /// every client shares its address, so raise it there.
    public var maxClientsPerAddress = 1000
    /// Clients in all at most (each costs memory, not a socket).
    public var maxClients = 50_000
    /// Channels one client may subscribe at most (`/quotes/*` counts as one).
    public var maxSubscriptionsPerClient = 100
    /// Messages in one request or WebSocket frame at most.
    public var maxMessagesPerRequest = 100
    /// Largest WebSocket message, bytes (HTTP bodies have the server's body limit).
    public var maxMessageBytes = 16 * 1024
    /// Ticks a client may owe before it is forgotten (it stopped reading);
    /// it resumes by handshaking with its last tick id.
    public var queueLimit = 10_000
    /// Held connects one browser (its `BAYEUX_BROWSER` cookie) may have;
    /// beyond it a connect is answered at once with `multiple-clients`.
    public var maxConnectsPerBrowser = 1
    /// `advice.interval` (ms) given with `multiple-clients`: such tabs poll instead of holding.
    public var multipleClientsIntervalMilliseconds = 2000
    /// With a token, clients that present it in `ext.ticker.publishToken`
    /// may publish ticks to `/quotes/SYMBOL`; without one, publishing is refused.
    public var publishToken: String?
    /// The role publishes are inserted as (it needs INSERT on ticks: the feed's role).
    public var publishDatabaseURL: String?

    /// Which worker keeps the sessions (`ticker serve --workers N`).
    public var home = BayeuxHome.here

    public init() {}
}
