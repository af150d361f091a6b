import EventHTTP

/// #16's authorisation for Bayeux (docs/BAYEUX.md "Tokens"): the token comes
/// with the handshake and holds for the session. A token that grants only
/// delayed symbols makes a delayed session, served from the delayed hub (its
/// ticks carry `"delayed":true`, its `/quotes/*` is the delayed view, and
/// `ext.ticker.since` resumes against the delayed cursor); any other token
/// makes a live session, which may subscribe only to its realtime symbols.
extension BayeuxEngine {
    static let tokenExpired = BayeuxError(402, "", "token expired; handshake again with a fresh token")

    /// The hub a client's ticks come from.
    func hub(_ c: BayeuxClient) -> TickHub { context.hub(delayed: c.delayed) }

    /// The handshake's verified token: `ext.ticker.token`, else the request's
    /// `Authorization: Bearer` or `ticker_token` cookie. `.open` when the
    /// server has no key.
    func pass(_ m: BayeuxMessage, headerToken: String?) -> Result<Pass, TokenRefusal> {
        let access = context.access
        guard let verifier = access.verifier else { return .success(.open) }
        guard let token = m.tickerExt?["token"]?.string ?? headerToken, !token.isEmpty else {
            access.counted(.missing)
            return .failure(TokenRefusal(reason: .missing, message: "this server needs a token: send it in the handshake's ext.ticker.token"))
        }
        switch verifier.verify(token, now: access.now()) {
        case .success(let claims): return .success(Pass(claims: claims))
        case .failure(let refusal):
            access.counted(refusal)
            return .failure(refusal)
        }
    }

    /// Gives a new client its token, its hub, and a timer that ends the
    /// session when the token expires (its held connect is told to handshake
    /// again with a fresh token).
    func admit(_ c: BayeuxClient, _ pass: Pass) {
        c.pass = pass
        if let claims = pass.claims, claims.realtime.isEmpty, !claims.delayed.isEmpty, context.delayed != nil { c.delayed = true }
        guard let wait = context.secondsLeft(pass) else { return }
        c.expiry = context.loop.after(wait) { [weak self, weak c] in
            guard let self, let c, !c.isGone else { return }
            self.context.access.counted(TokenRefusal(reason: .expired, message: ""))
            if self.expiredByToken.count >= 10_000 { self.expiredByToken.removeAll() }
            self.expiredByToken.insert(c.id)
            self.forget(c, error: Self.tokenExpired)
        }
    }

    /// A 403 for the first channel's symbol the session may not have.
    func entitlement(_ c: BayeuxClient, _ channels: [BayeuxChannel]) -> BayeuxError? {
        guard let claims = c.pass.claims else { return nil }
        for ch in channels {
            guard case .symbol(let s) = ch else { continue }  // a wildcard delivers only what the token allows
            switch claims.access(s) {
            case .refused:
                context.access.counted(TokenRefusal(reason: .notEntitled, message: ""))
                return BayeuxError(403, "", "not entitled to \(s)")
            case .delayed where !c.delayed:
                context.access.counted(TokenRefusal(reason: .notEntitled, message: ""))
                return BayeuxError(403, "", "\(s) is delayed for your token, and this session is live; "
                                   + "handshake with a token that grants only delayed symbols for the delayed view")
            default: continue
            }
        }
        return nil
    }
}
