import Crypto
import EventHTTP
import Foundation
import Testing
import _CryptoExtras
@testable import Comet

/// The token verifier and the claims as plain values: a pinned clock, keys
/// made here, tokens signed here (the end-to-end tests use PyJWT's).
@Suite struct AuthVerifierTests {
    static let secret = Data(String(repeating: "s", count: 32).utf8)
    static let now = 1_800_000_000.0

    static func b64(_ d: Data) -> String {
        d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func token(alg: String = "HS256", _ claims: [String: Any], sign: ((Data) -> Data)? = nil) -> String {
        let h = b64(try! JSONSerialization.data(withJSONObject: ["alg": alg, "typ": "JWT"]))
        let p = b64(try! JSONSerialization.data(withJSONObject: claims))
        let input = Data("\(h).\(p)".utf8)
        let signature = sign?(input) ?? Data(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: secret)))
        return "\(h).\(p).\(b64(signature))"
    }

    static let hs = TokenVerifier(key: try! TokenKey(bytes: secret), leeway: 30)
    static var grant: [String: Any] { ["realtime": ["AAPL", "NV*"], "delayed": ["*"]] }

    func reason(_ r: Result<TokenClaims, TokenRefusal>) -> TokenRefusal.Reason? {
        if case .failure(let f) = r { return f.reason } else { return nil }
    }

    @Test func aGoodTokenGivesItsEntitlements() throws {
        let claims = try Self.hs.verify(Self.token(["exp": Self.now + 60, "ticker": Self.grant]), now: Self.now).get()
        #expect(claims.access("AAPL") == .live)
        #expect(claims.access("NVDA") == .live)
        #expect(claims.access("MSFT") == .delayed)
        #expect(claims.expires == Self.now + 60)
    }

    @Test func realtimeWinsAndOthersAreRefused() throws {
        let claims = TokenClaims(realtime: [SymbolPattern("msft")!], delayed: [SymbolPattern("M*")!])
        #expect(claims.access("MSFT") == .live)
        #expect(claims.access("MU") == .delayed)
        #expect(claims.access("AAPL") == .refused)
        let split = try Pass(claims: claims).split(["MU", "MSFT"])
        #expect(split == SymbolSplit(live: ["MSFT"], delayed: ["MU"]))
        #expect(split.kind == .mixed)
        #expect(throws: TokenRefusal.self) { try Pass(claims: claims).split(["AAPL", "MSFT"]) }
        #expect(SymbolPattern("A*B") == nil)
        #expect(SymbolPattern("") == nil)
        #expect(SymbolPattern("*")!.matches("ANY"))
    }

    @Test func timeIsEnforcedWithTheLeeway() {
        #expect(reason(Self.hs.verify(Self.token(["exp": Self.now - 31]), now: Self.now)) == .expired)
        #expect(reason(Self.hs.verify(Self.token(["exp": Self.now - 29]), now: Self.now)) == nil)
        #expect(reason(Self.hs.verify(Self.token(["nbf": Self.now + 31]), now: Self.now)) == .notYetValid)
        #expect(reason(Self.hs.verify(Self.token(["nbf": Self.now + 29]), now: Self.now)) == nil)
        if case .failure(let f) = Self.hs.verify(Self.token(["exp": 1_795_000_000]), now: Self.now) {
            #expect(f.message == "token expired at 2026-11-18T11:06:40Z: get a new token")
        }
    }

    @Test func signaturesAndAlgorithmsArePinned() throws {
        #expect(reason(Self.hs.verify(Self.token(alg: "none", [:]) { _ in Data() }, now: Self.now)) == .algorithm)
        #expect(reason(Self.hs.verify(Self.token(alg: "HS512", [:]), now: Self.now)) == .algorithm)
        let wrong = Self.token([:]) { Data(HMAC<SHA256>.authenticationCode(for: $0, using: SymmetricKey(data: Data(repeating: 1, count: 32)))) }
        #expect(reason(Self.hs.verify(wrong, now: Self.now)) == .badSignature)
        // HS/RS confusion: the RSA public key's PEM used as an HMAC secret.
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pem = rsa.publicKey.pemRepresentation
        let rs = TokenVerifier(key: try TokenKey(bytes: Data(pem.utf8)))
        let confused = Self.token(alg: "HS256", [:]) { Data(HMAC<SHA256>.authenticationCode(for: $0, using: SymmetricKey(data: Data(pem.utf8)))) }
        #expect(reason(rs.verify(confused, now: Self.now)) == .algorithm)
        let good = Self.token(alg: "RS256", ["ticker": Self.grant]) { try! rsa.signature(for: $0, padding: .insecurePKCS1v1_5).rawRepresentation }
        #expect(reason(rs.verify(good, now: Self.now)) == nil)
        let ec = P256.Signing.PrivateKey()
        let es = TokenVerifier(key: try TokenKey(bytes: Data(ec.publicKey.pemRepresentation.utf8)))
        let esToken = Self.token(alg: "ES256", [:]) { try! ec.signature(for: $0).rawRepresentation }
        #expect(reason(es.verify(esToken, now: Self.now)) == nil)
        #expect(reason(es.verify(good, now: Self.now)) == .algorithm)
    }

    @Test func malformedTokensSayWhy() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "!!!.e30.AA", Self.token([:]) + "=", Self.token(["exp": "soon"]),
                    Self.token(["ticker": ["realtime": "AAPL"]]), Self.token(["ticker": ["delayed": ["A*B"]]])] {
            #expect(reason(Self.hs.verify(bad, now: Self.now)) == .malformed, "\(bad)")
        }
    }

    @Test func keyFilesAreCheckedWithOneLine() {
        #expect(throws: TokenKey.Error.self) { try TokenKey(bytes: Data("short\n".utf8)) }
        #expect(throws: TokenKey.Error.self) { try TokenKey(bytes: Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8)) }
        #expect((try? TokenKey(bytes: Data((String(repeating: "k", count: 32) + "\n").utf8)))?.algorithm == "HS256")
    }

    @Test func theTokenIsFoundWhereverItTravels() {
        #expect(BearerToken.find(authorization: "Bearer abc", query: "q", cookie: "ticker_token=c") == "abc")
        #expect(BearerToken.find(authorization: "Basic x", query: "q", cookie: nil) == "q")
        #expect(BearerToken.find(authorization: nil, query: nil, cookie: "a=1; ticker_token=c; b=2") == "c")
        #expect(BearerToken.find(authorization: nil, query: nil, cookie: "a=1") == nil)
    }

    @Test func logsNeverCarryTokens() {
        #expect(LogRedaction.redact("GET /stream?symbols=A&token=eyJ.x.y HTTP/1.1") == "GET /stream?symbols=A&token=[redacted] HTTP/1.1")
        #expect(LogRedaction.redact("Authorization: Bearer eyJ.x.y\r\n") == "Authorization: Bearer [redacted]\r\n")
        #expect(LogRedaction.redact("Cookie: ticker_token=abc; x=1") == "Cookie: ticker_token=[redacted]; x=1")
    }
}
