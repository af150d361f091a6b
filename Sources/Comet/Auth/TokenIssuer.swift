import Crypto
import Foundation
import Quotes

/// `ticker token`: an HS256 token for a server run with `--auth-key-file`,
/// signed with the same secret file, so trying authorisation out needs no JWT
/// library. RS256/ES256 tokens are signed with a private key the server never
/// holds: issuers make those with their own JWT library.
public enum TokenIssuer {
    /// One line naming what is wrong.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A signed token granting `realtime` and `delayed` symbol patterns,
    /// expiring `lifetime` seconds after `now` (nil: no `exp`, see docs/PROTOCOL.md).
    public static func hs256(keyFile: String, realtime: [String], delayed: [String],
                             lifetime: Double?, now: Double = Date().timeIntervalSince1970) throws(Failure) -> String {
        let key: TokenKey
        do { key = try TokenKey(contentsOf: URL(fileURLWithPath: keyFile)) } catch {
            throw Failure(description: "\(error)")
        }
        guard case .hmac(let secret) = key else {
            throw Failure(description: "\(keyFile) is a public key (\(key.algorithm)): sign RS256/ES256 tokens with your JWT library and the private key; ticker token signs HS256 with a secret file")
        }
        var grants = JSONWriter()
        if !realtime.isEmpty { grants.field("realtime", strings: realtime) }
        if !delayed.isEmpty { grants.field("delayed", strings: delayed) }
        var claims = JSONWriter()
        if let lifetime { claims.field("exp", Int64(now + lifetime)) }
        claims.field("iat", Int64(now))
        claims.field("ticker", raw: grants.json)
        let signingInput = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + base64URL(Data(claims.json.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: secret)
        return signingInput + "." + base64URL(Data(signature))
    }

    /// Base64url without padding (RFC 7515 2).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
