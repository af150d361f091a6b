import EventHTTP
import Postgres

/// The price each symbol's day change is measured from, as the dashboard gets
/// it (`day_quotes`, Schema/005: a feed's reference price, else the previous
/// session's close), so that `/board`, `/ticker.png` and the dashboard show
/// the same change. Read from PostgreSQL for the symbols asked about, and again
/// every 30 s, so a new session's reference appears within that.
///
/// Loop thread only.
final class ReferencePrices {
    private unowned let context: ServerContext
    private var prices: [String: String] = [:]
    private var wanted: Set<String> = []
    private var timer: LoopEvent?
    private var reading = false
    private var again = false
    /// Called back once the read under way (or the next) has finished.
    private var waiting: [() -> Void] = []

    init(context: ServerContext) { self.context = context }

    func start() { timer = context.loop.every(30) { [unowned self] in self.read() } }

    /// The reference of `symbol` if known yet; asking makes it known soon.
    func price(_ symbol: String) -> String? {
        if wanted.insert(symbol).inserted { read() }
        return prices[symbol]
    }

    /// Runs `then` once the references of `symbols` have been read (at once
    /// when they were asked for before), so a first frame or page shows them.
    func ensure(_ symbols: [String], then: @escaping () -> Void) {
        let new = symbols.filter { wanted.insert($0).inserted }
        guard !new.isEmpty || reading else { return then() }
        waiting.append(then)
        read()
    }

    private func read() {
        guard !wanted.isEmpty else { return }
        guard !reading else { again = true; return }
        reading = true
        context.queryDB.query(TickSQL.dayQuotes, [TickSQL.arrayLiteral(wanted.sorted()), nil]) { [unowned self] result in
            self.reading = false
            if case .success(let r) = result {
                for i in 0..<r.rowCount {
                    if let symbol = r.string(i, 0) { self.prices[symbol] = r.string(i, 2) }
                }
            }
            if self.again { self.again = false; return self.read() }
            let done = self.waiting
            self.waiting.removeAll()
            for f in done { f() }
        }
    }
}
