import Foundation

/// Where a request's token is: `Authorization: Bearer T`, else `?token=T`
/// (EventSource and `<img>` cannot set headers), else the `ticker_token`
/// cookie. The first place that has one wins.
enum BearerToken {
    static let cookieName = "ticker_token"

    static func find(authorization: String?, query: String?, cookie: String?) -> String? {
        if let a = authorization {
            let t = a.drop { $0 == " " }
            if t.count > 7, t.prefix(7).lowercased() == "bearer " {
                return String(t.dropFirst(7).drop { $0 == " " })
            }
        }
        if let query, !query.isEmpty { return query }
        if let cookie { return Self.cookie(cookie) }
        return nil
    }

    /// The value of `ticker_token` in a `Cookie` header.
    static func cookie(_ header: String) -> String? {
        for pair in header.split(separator: ";") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == cookieName {
                let v = kv[1].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
        }
        return nil
    }
}
