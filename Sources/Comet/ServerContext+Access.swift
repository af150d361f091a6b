import EventHTTP
import Foundation
import Quotes

/// Tokens, entitlements and the delayed hub, as the routes use them.
extension ServerContext {
    /// A 401 (the token) or 403 (a symbol it does not allow): one line saying
    /// why, never the token; counted by reason. As JSON, or for routes people
    /// open in a browser (`/board`, `asPage`) as a short HTML page.
    func refuse(_ req: HTTPRequest, _ refusal: TokenRefusal, asPage: Bool = false) {
        access.counted(refusal)
        metrics.rejectedRequests += 1
        if refusal.status == 401 {
            req.setHeader("WWW-Authenticate", refusal.reason == .missing ? "Bearer" : "Bearer error=\"invalid_token\"")
        }
        if asPage {
            for (name, value) in RefusalPage.headers { req.setHeader(name, value) }
            req.respond(refusal.status, contentType: "text/html; charset=utf-8", text: RefusalPage.html(status: refusal.status, message: refusal.message))
            return
        }
        var w = JSONWriter()
        w.field("error", refusal.message)
        w.field("reason", refusal.reason.rawValue)
        if !refusal.symbols.isEmpty { w.field("symbols", strings: refusal.symbols) }
        req.setHeader("Cache-Control", "no-store")
        req.respond(refusal.status, contentType: "application/json", text: w.json + "\n")
    }

    /// The hub that serves `kind` (`.mixed` has both: callers split first).
    func hub(delayed isDelayed: Bool) -> TickHub {
        isDelayed ? (delayed?.hub ?? hub) : hub
    }

    /// What `hello` and poll bodies say about the delay, when any of the
    /// request's symbols are delayed.
    func delayInfo(_ split: SymbolSplit) -> ControlEvent.Delay? {
        split.delayed.isEmpty ? nil : ControlEvent.Delay(seconds: Int(access.delaySeconds.rounded()), symbols: split.delayed)
    }

    /// The latest quote of each symbol from the hub that serves it, oldest first.
    func snapshot(_ split: SymbolSplit) -> [EncodedTick] {
        (hub.snapshot(split.live) + hub(delayed: true).snapshot(split.delayed)).sorted { $0.id < $1.id }
    }

    /// The latest quote of a symbol as this request may see it.
    func latest(_ symbol: String, _ split: SymbolSplit) -> EncodedTick? {
        split.delayed.contains(symbol) ? hub(delayed: true).latest[symbol] : hub.latest[symbol]
    }

    /// Ends `sub` with `token-expired` when the token's `exp` passes (plus
    /// the leeway the verifier allows): `end` sends the event and closes.
    /// An `exp` years ahead (`1e300`) arms no timer past a year: the token is
    /// signed, but its claims are still outside input.
    /// `end` is handed the subscriber rather than capturing it weakly: a weak
    /// reference gives every stream a side table (memory, and slower retains
    /// on the fan-out path), so only an armed timer holds one.
    func endOnExpiry<S: TickSubscriber>(_ sub: S, _ pass: Pass, _ end: @escaping (S) -> Void) {
        guard let left = secondsLeft(pass) else { return }
        sub.expiry = loop.after(left) { [weak sub] in
            guard let sub else { return }
            sub.expiry = nil
            end(sub)
        }
    }

    /// Seconds until the token's `exp` passes (plus the verifier's leeway),
    /// at least a millisecond; nil without `exp`, or when it is more than a
    /// year ahead (not within this process's life).
    func secondsLeft(_ pass: Pass) -> Double? {
        guard let exp = pass.expires else { return nil }
        let left = exp + (access.verifier?.leeway ?? 0) - access.now()
        guard !(left > LoopEvent.longestTimeout) else { return nil }
        return left.isNaN ? 0.001 : max(0.001, left)
    }

    /// Ends a tracked stream with `event` (`token-expired`) and forgets it.
    /// An image stream cannot say why: it just ends, as multipart allows.
    func end(_ sub: TickSubscriber, on connection: ConnectionID, with event: ControlEvent) {
        guard untrack(connection, only: sub) != nil else { return }
        countStreamEnd(sub)
        if let s = sub as? StreamSubscriber {
            s.close(with: event)
        } else if let m = sub as? MixedStream {
            m.close(with: event)
        } else if let v = sub as? ImageViewer {
            images.closed(v)
            v.request.endStream()
        }
    }

    /// When a client's delayed cursor is ahead of this server's delay line
    /// but within what it has read (another worker released it a moment
    /// earlier), waits for the line (at most 2 s) and runs `again`; false
    /// when there is no need.
    func answerWhenReleased(_ req: HTTPRequest, since: Int64?, _ again: @escaping () throws -> Void) -> Bool {
        guard let since, let delayed, since > delayed.hub.cursor, since <= hub.cursor else { return false }
        delayed.whenReleased(since, within: 2) { [unowned self] in Router.answer(req, self, again) }
        return true
    }
}
