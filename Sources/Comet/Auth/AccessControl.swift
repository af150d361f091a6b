import EventHTTP
import Foundation
import Quotes

/// The server's door for data routes. Without `--auth-key-file` it lets
/// everything through as live (the open demo); with it, every data route asks
/// `pass` for the request's verified token and `split` for which of its
/// symbols are served live and which delayed, and a refusal becomes a 401 or
/// 403 (`Router.answer`). Refusals are counted by reason for `/metrics`.
final class AccessControl {
    let verifier: TokenVerifier?
    /// Seconds a delayed symbol lags (`--delay`).
    let delaySeconds: Double
    /// Wall-clock seconds since 1970; replaced in tests.
    var now: () -> Double = { Date().timeIntervalSince1970 }
    private(set) var refusals: [TokenRefusal.Reason: Int] = [:]

    init(verifier: TokenVerifier?, delaySeconds: Double) {
        self.verifier = verifier
        self.delaySeconds = delaySeconds
    }

    var isOn: Bool { verifier != nil }

    /// The request's verified token (`Pass.open` when authorisation is off).
    /// `cookie: false` for JSONP: any website's `<script>` tag sends the
    /// browser's cookies, so a callback answer needs `token=` or the header.
    func pass(_ req: HTTPRequest, _ q: QueryParameters, cookie: Bool = true) throws -> Pass {
        guard let verifier else { return .open }
        let found = BearerToken.find(authorization: req.header("Authorization"), query: try q.value("token"),
                                     cookie: cookie ? req.header("Cookie") : nil)
        guard let token = found else {
            // Say why a cookie that works elsewhere does not work here.
            if !cookie, req.header("Cookie").flatMap(BearerToken.cookie) != nil { throw TokenRefusal.cookieWithJSONP }
            throw TokenRefusal.missing
        }
        switch verifier.verify(token, now: now()) {
        case .success(let claims): return Pass(claims: claims)
        case .failure(let refusal): throw refusal
        }
    }

    func counted(_ refusal: TokenRefusal) { refusals[refusal.reason, default: 0] += 1 }

    /// Its lines of `/metrics`: refusals by reason, and the delay line.
    func metricsText(held: Int, delayedCursor: Int64?) -> String {
        var out = "# HELP ticker_auth_refusals_total Requests refused 401/403, by reason.\n# TYPE ticker_auth_refusals_total counter\n"
        for r in TokenRefusal.Reason.allCases { out += "ticker_auth_refusals_total{reason=\"\(r.rawValue)\"} \(refusals[r] ?? 0)\n" }
        out += "# HELP ticker_delayed_ticks_held Ticks held in the delay line.\n# TYPE ticker_delayed_ticks_held gauge\nticker_delayed_ticks_held \(held)\n"
        if let delayedCursor {
            out += "# HELP ticker_delayed_cursor Id of the newest tick the delay line released.\n# TYPE ticker_delayed_cursor gauge\nticker_delayed_cursor \(delayedCursor)\n"
        }
        return out
    }
}

/// What a request's token allows (or everything, when the server is open).
struct Pass {
    /// nil: the server is open.
    let claims: TokenClaims?

    static let open = Pass(claims: nil)

    /// When the token stops being valid (seconds since 1970), if ever.
    var expires: Double? { claims?.expires }

    /// Splits `symbols` into those served live and those served delayed;
    /// throws a 403 naming the symbols the token does not allow.
    func split(_ symbols: [String]) throws -> SymbolSplit {
        guard let claims else { return SymbolSplit(live: symbols, delayed: []) }
        var split = SymbolSplit(live: [], delayed: [])
        var refused: [String] = []
        for s in symbols {
            switch claims.access(s) {
            case .live: split.live.append(s)
            case .delayed: split.delayed.append(s)
            case .refused: refused.append(s)
            }
        }
        guard refused.isEmpty else {
            throw TokenRefusal(reason: .notEntitled, message: "not entitled to \(refused.joined(separator: ", "))", symbols: refused)
        }
        return split
    }
}

/// A request's symbols by how they are served, each in the order asked.
struct SymbolSplit: Equatable {
    var live: [String]
    var delayed: [String]

    /// Which hub(s) a subscriber of these symbols follows.
    enum Kind: Equatable { case live, delayed, mixed }

    /// All live (also for no symbols), all delayed, or both.
    var kind: Kind {
        if delayed.isEmpty { return .live }
        return live.isEmpty ? .delayed : .mixed
    }
}
