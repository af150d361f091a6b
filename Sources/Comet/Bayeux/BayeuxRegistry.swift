/// The Bayeux clients this server knows, by `clientId`, with the counts the
/// limits need (clients per address, held connects per browser) and the
/// counters `/metrics` shows. Loop thread only.
///
/// A `clientId` is 192 bits from the system's cryptographic generator, so
/// that one client cannot guess another's and read or end its session.
struct BayeuxRegistry {
    private(set) var clients: [String: BayeuxClient] = [:]
    private var perAddress: [String: Int] = [:]
    /// Held HTTP connects per `BAYEUX_BROWSER` cookie.
    private var heldPerBrowser: [String: Int] = [:]
    private(set) var handshakes = 0
    private(set) var deliveries = 0
    private(set) var errors = 0
    private(set) var expired = 0

    var count: Int { clients.count }

    func client(_ id: String?) -> BayeuxClient? { id.flatMap { clients[$0] } }

    func clients(from peer: String) -> Int { perAddress[peer, default: 0] }

    /// A new client id: 192 random bits, as 48 hex digits.
    static func newID() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<3).map { _ in
            let hex = String(g.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    mutating func add(_ c: BayeuxClient) {
        clients[c.id] = c
        perAddress[c.peer, default: 0] += 1
        handshakes += 1
    }

    /// Forgets a client; returns it if it was known.
    @discardableResult
    mutating func remove(_ id: String, expired: Bool = false) -> BayeuxClient? {
        guard let c = clients.removeValue(forKey: id) else { return nil }
        if let n = perAddress[c.peer] { perAddress[c.peer] = n > 1 ? n - 1 : nil }
        if expired { self.expired += 1 }
        c.markGone()
        return c
    }

    /// The clients that stopped connecting (see `BayeuxSession.isExpired`).
    func expiredClients(now: Double) -> [BayeuxClient] {
        clients.values.filter { $0.session.isExpired(now: now) || $0.outbox.overflowed }
    }

    func held(in browser: String) -> Int { heldPerBrowser[browser, default: 0] }

    mutating func holding(_ browser: String?, _ delta: Int) {
        guard let browser else { return }
        let n = heldPerBrowser[browser, default: 0] + delta
        heldPerBrowser[browser] = n > 0 ? n : nil
    }

    mutating func delivered(_ n: Int) { deliveries += n }
    mutating func failed() { errors += 1 }

    /// Prometheus lines for `/metrics`.
    func metricsText(held: Int, sockets: Int) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("ticker_bayeux_clients", "gauge", "Bayeux clients (clientIds) known.", clients.count)
        metric("ticker_bayeux_connects_held", "gauge", "Bayeux /meta/connect requests held open.", held)
        metric("ticker_bayeux_websockets", "gauge", "Open Bayeux WebSockets.", sockets)
        metric("ticker_bayeux_handshakes_total", "counter", "Successful Bayeux handshakes.", handshakes)
        metric("ticker_bayeux_deliveries_total", "counter", "Ticks delivered to Bayeux clients.", deliveries)
        metric("ticker_bayeux_errors_total", "counter", "Bayeux messages answered with an error.", errors)
        metric("ticker_bayeux_expired_total", "counter", "Bayeux clients forgotten because they stopped connecting or reading.", expired)
        return out
    }
}
