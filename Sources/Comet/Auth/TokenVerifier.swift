import Foundation

/// Verifies a JWT (compact JWS) against the one configured key: the header's
/// `alg` must be the key's, the signature must verify, `nbf` and `exp` must
/// hold at `now` within `leeway`, and the `ticker` claim must parse.
///
/// Why swift-crypto and not jwt-kit: jwt-kit's signers are async and
/// actor-isolated, while every request here is answered synchronously on the
/// one libevent loop thread; the signature is swift-crypto's (HMAC, P-256,
/// and RSA from `_CryptoExtras`), only the parsing of the three base64url
/// parts and their JSON is ours, and it is strict.
///
/// A plain value: `now` comes in, so tests pin the clock.
struct TokenVerifier: Sendable {
    let key: TokenKey
    /// Seconds of clock difference forgiven on `exp` and `nbf`.
    var leeway: Double = 30
    /// Longest token accepted (a header line is 8 KiB at most anyway).
    static let maxLength = 4096

    init(key: TokenKey, leeway: Double = 30) {
        self.key = key
        self.leeway = leeway
    }

    /// The token's claims, or why it is refused.
    func verify(_ token: String, now: Double) -> Result<TokenClaims, TokenRefusal> {
        guard token.utf8.count <= Self.maxLength else { return .failure(.malformed("longer than \(Self.maxLength) bytes")) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformed("a JWT has three dot-separated parts, this has \(parts.count)")) }
        guard let headerData = Base64URL.decode(parts[0]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            return .failure(.malformed("the header is not base64url JSON"))
        }
        guard let alg = header["alg"] as? String else { return .failure(.malformed("the header has no alg")) }
        guard alg == key.algorithm else {
            let shown = String(alg.prefix(16).filter { $0.isLetter || $0.isNumber })
            return .failure(TokenRefusal(reason: .algorithm,
                message: "the token is signed with '\(shown)'; this server accepts only \(key.algorithm)"))
        }
        if header["crit"] != nil { return .failure(.malformed("critical header extensions are not supported")) }
        guard let signature = Base64URL.decode(parts[2]), !signature.isEmpty else {
            return .failure(.malformed("the signature is not base64url"))
        }
        let signed = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.verifies(signature, of: signed) else {
            return .failure(TokenRefusal(reason: .badSignature, message: "the token's signature does not verify with this server's key"))
        }
        guard let payloadData = Base64URL.decode(parts[1]),
              let payload = (try? JSONSerialization.jsonObject(with: payloadData)) as? [String: Any] else {
            return .failure(.malformed("the payload is not base64url JSON"))
        }
        let claims: TokenClaims
        do { claims = try TokenClaims(payload) } catch { return .failure(error) }
        if let nbf = claims.notBefore, now + leeway < nbf {
            return .failure(TokenRefusal(reason: .notYetValid,
                message: "token not valid before \(Self.time(nbf)): check the clocks, or wait"))
        }
        if let exp = claims.expires, now - leeway >= exp {
            return .failure(TokenRefusal(reason: .expired, message: "token expired at \(Self.time(exp)): get a new token"))
        }
        return .success(claims)
    }

    /// A NumericDate as ISO 8601 UTC to the second.
    static func time(_ seconds: Double) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
    }
}

/// Base64url without padding (RFC 7515 2), strictly: other characters, or
/// padding, make it malformed.
enum Base64URL {
    static func decode(_ s: Substring) -> Data? {
        guard !s.isEmpty, s.utf8.allSatisfy({ isAlphabet($0) }), s.utf8.count % 4 != 1 else { return nil }
        var b64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.utf8.count % 4) % 4)
        return Data(base64Encoded: b64)
    }

    private static func isAlphabet(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95
    }
}
