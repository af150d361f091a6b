import Quotes

/// `/meta/handshake`, `/meta/subscribe`, `/meta/unsubscribe`, `/meta/disconnect`.
extension BayeuxEngine {
    func handshake(_ m: BayeuxMessage, peer: String, browser: String?, headerToken: String? = nil) -> String {
        guard m.version?.hasPrefix("1.") == true else {
            return failure(m, BayeuxError(400, m.version ?? "", "version must be 1.0"), advice: BayeuxReply.Advice.none)
        }
        guard m.supportedConnectionTypes.contains(where: BayeuxReply.connectionTypes.contains) else {
            return failure(m, BayeuxError(400, "", "no common connection type; this server supports \(BayeuxReply.connectionTypes.joined(separator: ", "))"),
                           advice: BayeuxReply.Advice.none) { BayeuxReply.supported(&$0) }
        }
        let pass: Pass
        switch self.pass(m, headerToken: headerToken) {
        case .failure(let refusal): return failure(m, BayeuxError(401, "", refusal.message), advice: BayeuxReply.Advice.none)
        case .success(let p): pass = p
        }
        let since: Int64?
        switch Self.since(m) {
        case .failure(let e): return failure(m, e, advice: BayeuxReply.Advice.none)
        case .success(let s): since = s
        }
        if config.maxClientsPerAddress > 0, registry.clients(from: peer) >= config.maxClientsPerAddress {
            return failure(m, BayeuxError(403, "", "too many clients from your address (at most \(config.maxClientsPerAddress)); disconnect some"),
                           advice: BayeuxReply.Advice.none)
        }
        if registry.count >= config.maxClients {
            return failure(m, BayeuxError(503, "", "the server is at its client limit; retry shortly"), advice: connectAdvice)
        }
        let session = BayeuxSession(now: now, holdSeconds: config.connectTimeoutSeconds, maxIdleSeconds: config.maxIdleSeconds)
        let c = BayeuxClient(id: BayeuxRegistry.newID(), peer: peer, browser: browser, since: since,
                             session: session, queueLimit: config.queueLimit)
        c.onTicks = { [unowned self] in self.flush($0) }
        admit(c, pass)
        registry.add(c)
        hub(c).add(c)
        return BayeuxReply.reply(to: m, clientId: c.id, advice: connectAdvice) { w in
            w.field("version", "1.0")
            BayeuxReply.supported(&w)
            w.field("ext", raw: "{\"ticker\":{\"resume\":true,\"cursor\":\(hub(c).cursor)\(c.delayed ? ",\"delayed\":true" : "")}}")
        }
    }

    /// `ext.ticker.since`: a tick id (whole number, 0 or more), if given.
    static func since(_ m: BayeuxMessage) -> Result<Int64?, BayeuxError> {
        guard let value = m.tickerExt?["since"], value != .null else { return .success(nil) }
        guard let n = value.integer, n >= 0 else {
            return .failure(BayeuxError(400, "", "ext.ticker.since must be a tick id (a whole number, 0 or more)"))
        }
        return .success(n)
    }

    func subscribe(_ m: BayeuxMessage, _ c: BayeuxClient) -> String {
        let names = m.subscriptions
        let echo: (inout JSONWriter) -> Void = { BayeuxReply.subscription(names, &$0) }
        guard !names.isEmpty else { return failure(m, BayeuxError(400, "", "missing subscription")) }
        let max = config.maxSubscriptionsPerClient
        let tooMany = BayeuxError(403, "", "too many subscriptions; at most \(max) channels per client")
        guard names.count <= max else { return failure(m, tooMany, echo) } // before reading them
        var channels: [BayeuxChannel] = []
        for name in names {
            switch BayeuxChannel.subscription(name) {
            case .failure(let e): return failure(m, e, echo)
            case .success(let ch): if !channels.contains(ch), !c.channels.contains(ch) { channels.append(ch) }
            }
        }
        guard c.channels.count + channels.count <= max else { return failure(m, tooMany, echo) }
        if let refused = entitlement(c, channels) { return failure(m, refused, echo) }
        let since: Int64?
        switch Self.since(m) {
        case .failure(let e): return failure(m, e, echo)
        case .success(let s): since = s ?? c.since
        }
        let hub = hub(c)
        // The symbols these channels add: for a wildcard, every symbol with a
        // tick so far (later ones arrive live).
        var added: [String] = [], seen = Set<String>()
        for ch in channels {
            let symbols: [String]
            if case .symbol(let s) = ch { symbols = [s] } else { symbols = hub.latest.keys.filter { ch.matches($0) && c.mayReceive($0) } }
            for s in symbols where !c.channels.contains(where: { $0.matches(s) }) && seen.insert(s).inserted { added.append(s) }
            _ = c.add(ch)
            if case .symbol(let s) = ch { hub.subscribe(c, to: [s]) } else { hub.followAll(c) }
        }
        catchUp(c, symbols: added, since: since)
        flush(c)
        return BayeuxReply.reply(to: m, clientId: c.id, successful: true, echo)
    }

    /// What a new subscription starts with, by the same `ResumePlan` as
    /// streams: the latest quotes without a cursor, else every tick after it.
    private func catchUp(_ c: BayeuxClient, symbols: [String], since: Int64?) {
        guard !symbols.isEmpty else { return }
        let hub = hub(c)
        let cursor = hub.cursor
        let plan = ResumePlan(since: since, cursor: cursor, logFloor: hub.log.floor)
        switch plan {
        case .fresh, .unknownCursor:
            c.outbox.addMissed(hub.snapshot(symbols))
        case .upToDate:
            break
        case .fromLog, .fromDatabase:
            let resume = BayeuxResume(client: c, plan: plan, cursor: cursor) { [unowned self] in self.flush($0) }
            context.sendMissed(resume, plan: plan, symbols: symbols, upTo: cursor, from: hub)
        }
    }

    func unsubscribe(_ m: BayeuxMessage, _ c: BayeuxClient) -> String {
        let names = m.subscriptions
        let echo: (inout JSONWriter) -> Void = { BayeuxReply.subscription(names, &$0) }
        guard !names.isEmpty else { return failure(m, BayeuxError(400, "", "missing subscription")) }
        guard names.count <= config.maxSubscriptionsPerClient else {
            return failure(m, BayeuxError(400, "", "too many channels in one unsubscribe"), echo)
        }
        for name in names {
            guard case .success(let ch) = BayeuxChannel.subscription(name) else { continue } // never subscribed
            c.remove(ch)
            if case .symbol(let s) = ch { hub(c).unsubscribe(c, from: [s]) }
            if c.wildcards.isEmpty { hub(c).unfollowAll(c) }
        }
        return BayeuxReply.reply(to: m, clientId: c.id, successful: true, echo)
    }

    func disconnect(_ m: BayeuxMessage, _ c: BayeuxClient) -> String {
        if c.session.disconnect() { answerHeld(c, changingState: false) }
        forget(c, expired: false)
        return BayeuxReply.reply(to: m, clientId: c.id, successful: true)
    }
}
