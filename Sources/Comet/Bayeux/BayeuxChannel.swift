import Quotes

/// What a channel name means here. Bayeux names are paths: `/meta/*` is the
/// protocol's own, `/service/*` is private to one client, and the rest are
/// broadcast channels. The only broadcast channels are quotes:
/// `/quotes/AAPL` (one symbol), `/quotes/*` (every one-segment symbol, as
/// Bayeux's `*` matches one segment) and `/quotes/**` (every symbol, also
/// those with a `/` such as `EUR/USD`, whose channel is `/quotes/EUR/USD`).
enum BayeuxChannel: Hashable, Sendable {
    case symbol(String)
    case oneLevel
    case everything

    /// The channel of a tick's deliveries: its own, never a wildcard.
    static func name(of symbol: String) -> String { "/quotes/" + symbol }

    /// The channel's name as a client writes it.
    var name: String {
        switch self {
        case .symbol(let s): return Self.name(of: s)
        case .oneLevel: return "/quotes/*"
        case .everything: return "/quotes/**"
        }
    }

    /// True when a tick of `symbol` belongs on this channel.
    func matches(_ symbol: String) -> Bool {
        switch self {
        case .symbol(let s): return s == symbol
        case .oneLevel: return !symbol.contains("/")
        case .everything: return true
        }
    }

    var isWildcard: Bool { if case .symbol = self { return false } else { return true } }

    /// A subscription's channel, or the error reply's text (`400:channel:why`).
    /// Names are taken exactly as written: `/quotes/aapl` is refused rather than
    /// quietly upper-cased, because the deliveries' channel (`/quotes/AAPL`)
    /// would then not match what the client's library listens on.
    static func subscription(_ name: String) -> Result<BayeuxChannel, BayeuxError> {
        let shown = String(name.prefix(60))
        if name == "/quotes/*" { return .success(.oneLevel) }
        if name == "/quotes/**" { return .success(.everything) }
        if name.hasPrefix("/meta/") { return .failure(BayeuxError(403, shown, "meta channels cannot be subscribed")) }
        if name.hasPrefix("/service/") { return .failure(BayeuxError(403, shown, "service channels cannot be subscribed")) }
        guard name.hasPrefix("/quotes/") else {
            return .failure(BayeuxError(404, shown, "no such channel; subscribe to /quotes/SYMBOL, /quotes/* or /quotes/**"))
        }
        let raw = name.dropFirst("/quotes/".count)
        switch Symbol.normalise(raw) {
        case .failure(let e):
            return .failure(BayeuxError(400, shown, e.description))
        case .success(let symbol) where symbol != raw:
            return .failure(BayeuxError(400, shown, "symbols are upper case; subscribe to \(Self.name(of: symbol))"))
        case .success(let symbol):
            return .success(.symbol(symbol))
        }
    }

    /// The symbol a client may publish a tick to (`/quotes/SYMBOL` only), or why not.
    static func publishTarget(_ name: String) -> Result<String, BayeuxError> {
        switch subscription(name) {
        case .success(.symbol(let s)): return .success(s)
        case .success: return .failure(BayeuxError(403, name, "publish to one symbol's channel, not a wildcard"))
        case .failure(let e): return .failure(e)
        }
    }
}

/// A Bayeux error in the specification's `code:args:message` form
/// (`403::publish refused`, `400:/quotes/x:symbols are upper case`).
struct BayeuxError: Error, Equatable, Sendable {
    let code: Int
    let args: String
    let message: String

    init(_ code: Int, _ args: String = "", _ message: String) {
        self.code = code
        self.args = args
        self.message = message
    }

    var text: String { "\(code):\(args):\(message)" }
}
