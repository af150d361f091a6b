import Foundation

/// The claims this server reads from a verified token: `exp`, `nbf`
/// (NumericDates, optional) and `ticker`:
/// `{"realtime":["AAPL","NV*"],"delayed":["*"]}`. A symbol matching a
/// `realtime` pattern is served live; one matching only `delayed`, late; any
/// other is refused. A token without `ticker` allows nothing.
struct TokenClaims: Equatable, Sendable {
    var expires: Double?
    var notBefore: Double?
    var realtime: [SymbolPattern] = []
    var delayed: [SymbolPattern] = []

    /// How a symbol may be served.
    enum Access: Equatable { case live, delayed, refused }

    init(expires: Double? = nil, notBefore: Double? = nil, realtime: [SymbolPattern] = [], delayed: [SymbolPattern] = []) {
        self.expires = expires
        self.notBefore = notBefore
        self.realtime = realtime
        self.delayed = delayed
    }

    init(_ payload: [String: Any]) throws(TokenRefusal) {
        expires = try Self.date(payload["exp"], "exp")
        notBefore = try Self.date(payload["nbf"], "nbf")
        guard let t = payload["ticker"] else { return }
        guard let ticker = t as? [String: Any] else { throw .malformed("the ticker claim is not an object") }
        realtime = try Self.patterns(ticker["realtime"], "realtime")
        delayed = try Self.patterns(ticker["delayed"], "delayed")
    }

    func access(_ symbol: String) -> Access {
        if realtime.contains(where: { $0.matches(symbol) }) { return .live }
        if delayed.contains(where: { $0.matches(symbol) }) { return .delayed }
        return .refused
    }

    private static func date(_ v: Any?, _ name: String) throws(TokenRefusal) -> Double? {
        guard let v else { return nil }
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        throw .malformed("\(name) is not a number of seconds")
    }

    private static func patterns(_ v: Any?, _ name: String) throws(TokenRefusal) -> [SymbolPattern] {
        guard let v else { return [] }
        guard let list = v as? [String] else { throw .malformed("ticker.\(name) is not a list of symbol patterns") }
        var out: [SymbolPattern] = []
        for p in list {
            guard let pattern = SymbolPattern(p) else {
                throw .malformed("ticker.\(name) has '\(String(p.prefix(24)))', not a symbol or a prefix ending in *")
            }
            out.append(pattern)
        }
        return out
    }
}

/// A symbol (`AAPL`) or a prefix with a trailing `*` (`NV*`, `*` for all).
struct SymbolPattern: Equatable, Sendable {
    let prefix: String
    let wildcard: Bool

    init?(_ text: String) {
        let t = text.uppercased()
        wildcard = t.hasSuffix("*")
        prefix = wildcard ? String(t.dropLast()) : t
        guard (wildcard || !prefix.isEmpty), prefix.count <= 20,
              prefix.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || ".-=/_^".unicodeScalars.contains($0) }),
              !prefix.contains("*") else { return nil }
    }

    func matches(_ symbol: String) -> Bool { wildcard ? symbol.hasPrefix(prefix) : symbol == prefix }
}
