import Quotes

/// The fan-out core: the cursor's newest ticks, the latest quote per symbol
/// (the newest by event time), and the registry from symbol to subscribers. It routes; it knows nothing of
/// transports or SQL. Loop thread only.
final class TickHub {
    private(set) var log: TickLog
    private(set) var latest: [String: EncodedTick] = [:]
    private var registry: [String: [ObjectIdentifier: TickSubscriber]] = [:]
    /// Subscribers that see every tick (Bayeux `/quotes/*`); they pick their own.
    private var everySymbol: [ObjectIdentifier: TickSubscriber] = [:]
    private var queued: [TickSubscriber] = []
    private(set) var cursor: Int64
    private(set) var deliveries = 0
    /// Subscribers added and not yet removed (one may follow no symbol for a while).
    private var members: Set<ObjectIdentifier> = []
    var subscriberCount: Int { members.count }

    init(cursor: Int64, latest: [Tick], logCapacity: Int) {
        self.cursor = cursor
        log = TickLog(capacity: logCapacity, floor: cursor)
        for t in latest { self.latest[t.symbol] = EncodedTick(t) }
    }

    func add(_ s: TickSubscriber) {
        for sym in s.symbols { registry[sym, default: [:]][ObjectIdentifier(s)] = s }
        members.insert(ObjectIdentifier(s))
    }

    func remove(_ s: TickSubscriber) {
        for sym in s.symbols { unregister(s, from: sym) }
        everySymbol[ObjectIdentifier(s)] = nil
        members.remove(ObjectIdentifier(s))
    }

    /// Adds `symbols` to an added subscriber (a WebSocket's `subscribe`);
    /// returns those it did not follow yet, in the order given.
    @discardableResult
    func subscribe(_ s: TickSubscriber, to symbols: [String]) -> [String] {
        let new = symbols.filter { !s.symbols.contains($0) }
        s.symbols += new
        for sym in new { registry[sym, default: [:]][ObjectIdentifier(s)] = s }
        return new
    }

    /// Drops `symbols` from an added subscriber (a WebSocket's `unsubscribe`).
    func unsubscribe(_ s: TickSubscriber, from symbols: [String]) {
        s.symbols.removeAll { symbols.contains($0) }
        for sym in symbols { unregister(s, from: sym) }
    }

    /// Hands `s` every tick from now on, besides its symbols' (a wildcard subscription).
    func followAll(_ s: TickSubscriber) { everySymbol[ObjectIdentifier(s)] = s }

    func unfollowAll(_ s: TickSubscriber) { everySymbol[ObjectIdentifier(s)] = nil }

    private func unregister(_ s: TickSubscriber, from sym: String) {
        registry[sym]?.removeValue(forKey: ObjectIdentifier(s))
        if registry[sym]?.isEmpty == true { registry[sym] = nil }
    }

    /// Takes the ticks of one fetch (in id order, all after the cursor): each is
    /// encoded once, logged, routed to its symbol's subscribers, and then every
    /// touched subscriber writes once.
    func publish(_ ticks: [Tick]) {
        for var tick in ticks where tick.id > cursor {
            // The latest quote is the newest by event time; an older tick is
            // still delivered once, in id order, but marked and not made latest.
            let current = latest[tick.symbol]
            tick.late = current.map { !tick.isNewer(than: $0.tick) } ?? false
            let e = EncodedTick(tick)
            cursor = tick.id
            log.append(e)
            if !tick.late { latest[tick.symbol] = e }
            if let subs = registry[tick.symbol] { for s in subs.values { hand(e, to: s) } }
            if everySymbol.isEmpty { continue }
            for s in everySymbol.values where !s.symbols.contains(tick.symbol) { hand(e, to: s) }
        }
        let batch = queued
        queued.removeAll(keepingCapacity: true)
        for s in batch {
            s.isQueued = false
            s.deliver()
        }
    }

    private func hand(_ e: EncodedTick, to s: TickSubscriber) {
        s.accept(e)
        deliveries += 1
        if !s.isQueued {
            s.isQueued = true
            queued.append(s)
        }
    }

    /// The latest quote of each of `symbols` that has one, oldest first.
    func snapshot(_ symbols: [String]) -> [EncodedTick] {
        symbols.compactMap { latest[$0] }.sorted { $0.id < $1.id }
    }
}
