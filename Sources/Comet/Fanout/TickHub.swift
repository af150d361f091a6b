import Quotes

/// The fan-out core: the cursor's newest ticks, the latest quote per symbol
/// (the newest by event time), and the registry from symbol to subscribers. It routes; it knows nothing of
/// transports or SQL. Loop thread only.
final class TickHub {
    private(set) var log: TickLog
    private(set) var latest: [String: EncodedTick] = [:]
    /// Subscribers of exactly one symbol (not following every symbol): each
    /// takes a wake-up's ticks of its symbol as one list shared by all of them.
    private var single: [String: [ObjectIdentifier: TickSubscriber]] = [:]
    /// Subscribers of several symbols: handed tick by tick, so each sees its
    /// symbols' ticks merged in id order.
    private var several: [String: [ObjectIdentifier: TickSubscriber]] = [:]
    /// Subscribers that see every tick (Bayeux `/quotes/*`); they pick their own.
    private var everySymbol: [ObjectIdentifier: TickSubscriber] = [:]
    private var queued: [TickSubscriber] = []
    /// One wake-up's ticks per symbol followed by a `single` subscriber, and
    /// those symbols in the order of their first tick.
    private var batches: [String: [EncodedTick]] = [:]
    private var batchOrder: [String] = []
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
        members.insert(ObjectIdentifier(s))
        index(s)
    }

    func remove(_ s: TickSubscriber) {
        unindex(s)
        everySymbol[ObjectIdentifier(s)] = nil
        members.remove(ObjectIdentifier(s))
    }

    /// Adds `symbols` to an added subscriber (a WebSocket's `subscribe`);
    /// returns those it did not follow yet, in the order given.
    @discardableResult
    func subscribe(_ s: TickSubscriber, to symbols: [String]) -> [String] {
        let new = symbols.filter { !s.symbols.contains($0) }
        guard !new.isEmpty else { return [] }
        unindex(s)
        s.symbols += new
        index(s)
        return new
    }

    /// Drops `symbols` from an added subscriber (a WebSocket's `unsubscribe`).
    func unsubscribe(_ s: TickSubscriber, from symbols: [String]) {
        unindex(s)
        s.symbols.removeAll { symbols.contains($0) }
        index(s)
    }

    /// Hands `s` every tick from now on, besides its symbols' (a wildcard subscription).
    func followAll(_ s: TickSubscriber) {
        unindex(s)
        everySymbol[ObjectIdentifier(s)] = s
        index(s)
    }

    func unfollowAll(_ s: TickSubscriber) {
        unindex(s)
        everySymbol[ObjectIdentifier(s)] = nil
        index(s)
    }

    /// Registers `s` under its symbols: in `single` when it follows one symbol
    /// and nothing else, else in `several`. Callers unindex before changing
    /// what decides that. A subscriber already removed stays out.
    private func index(_ s: TickSubscriber) {
        let id = ObjectIdentifier(s)
        guard members.contains(id) else { return }
        if s.symbols.count == 1 && everySymbol[id] == nil {
            single[s.symbols[0], default: [:]][id] = s
        } else {
            for sym in s.symbols { several[sym, default: [:]][id] = s }
        }
    }

    private func unindex(_ s: TickSubscriber) {
        let id = ObjectIdentifier(s)
        for sym in s.symbols {
            if single[sym]?.removeValue(forKey: id) != nil, single[sym]?.isEmpty == true { single[sym] = nil }
            if several[sym]?.removeValue(forKey: id) != nil, several[sym]?.isEmpty == true { several[sym] = nil }
        }
    }

    /// Takes the ticks of one fetch (in id order, all after the cursor): each is
    /// encoded once and logged; subscribers of one symbol then get that
    /// symbol's ticks as one shared list, symbol by symbol in the order of
    /// their first tick, and after them subscribers of several symbols get
    /// theirs merged in id order. Every touched subscriber writes once.
    /// (So within a wake-up a dashboard's stream waits behind the writes to
    /// every one-symbol stream the wake-up touched; the wake-ups themselves
    /// are a statement's ticks, so that wait is one fan-out, not a backlog.)
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
            if single[tick.symbol] != nil { collect(e) }
            if let subs = several[tick.symbol] { for s in subs.values { hand(e, to: s) } }
            if everySymbol.isEmpty { continue }
            for s in everySymbol.values where !s.symbols.contains(tick.symbol) { hand(e, to: s) }
        }
        for sym in batchOrder {
            guard let list = batches[sym], let subs = single[sym] else { continue }
            deliveries += list.count * subs.count
            for s in subs.values { s.deliver(list) }
        }
        batches.removeAll(keepingCapacity: true)
        batchOrder.removeAll(keepingCapacity: true)
        let batch = queued
        queued.removeAll(keepingCapacity: true)
        for s in batch {
            s.isQueued = false
            s.deliver()
        }
    }

    private func collect(_ e: EncodedTick) {
        let sym = e.tick.symbol
        if batches[sym] == nil { batchOrder.append(sym) }
        batches[sym, default: []].append(e)
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
