import Crypto
import Foundation
import _CryptoExtras

/// The key of `--auth-key-file`, and with it the one algorithm tokens may use:
/// a shared secret is HS256, a PEM RSA public key RS256, a PEM P-256 public
/// key ES256. The algorithm comes from the key, never from the token, so
/// `alg: none` and HS/RS confusion (an RSA public key used as an HMAC secret)
/// cannot pass.
enum TokenKey {
    case hmac(SymmetricKey)
    case rsa(_RSA.Signing.PublicKey)
    case ecdsa(P256.Signing.PublicKey)

    /// One line naming what is wrong with a key file.
    struct Error: Swift.Error, CustomStringConvertible {
        let description: String
    }

    /// The JWS `alg` this key verifies.
    var algorithm: String {
        switch self {
        case .hmac: return "HS256"
        case .rsa: return "RS256"
        case .ecdsa: return "ES256"
        }
    }

    /// Reads a key file: PEM (`-----BEGIN PUBLIC KEY-----`, P-256 or RSA) or
    /// a shared secret (the file's bytes, one trailing newline dropped).
    init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw Error(description: "cannot read the key file \(url.path): \(error.localizedDescription)")
        }
        try self.init(bytes: data, name: url.path)
    }

    init(bytes data: Data, name: String = "the key") throws {
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
            guard text.contains("PUBLIC KEY-----") else {
                throw Error(description: "\(name) is a PEM file but not a public key; give the server the public key (openssl pkey -pubout)")
            }
            if let k = try? P256.Signing.PublicKey(pemRepresentation: text) { self = .ecdsa(k); return }
            if let k = try? _RSA.Signing.PublicKey(pemRepresentation: text) {
                guard k.keySizeInBits >= 2048 else { throw Error(description: "\(name) is an RSA key of \(k.keySizeInBits) bits; use 2048 or more") }
                self = .rsa(k)
                return
            }
            throw Error(description: "\(name) holds a public key that is neither P-256 (ES256) nor RSA (RS256)")
        }
        var secret = data
        if secret.last == 10 { secret.removeLast() }
        if secret.last == 13 { secret.removeLast() }
        // RFC 7518 3.2: an HS256 key as long as the hash at least.
        guard secret.count >= 32 else {
            throw Error(description: "\(name) holds a secret of \(secret.count) bytes; HS256 needs at least 32 (e.g. openssl rand -hex 32)")
        }
        self = .hmac(SymmetricKey(data: secret))
    }

    /// True when `signature` signs `message` under this key.
    func verifies(_ signature: Data, of message: Data) -> Bool {
        switch self {
        case .hmac(let key):
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: key)
        case .rsa(let key):
            let s = _RSA.Signing.RSASignature(rawRepresentation: signature)
            // RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 3.3).
            return key.isValidSignature(s, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        case .ecdsa(let key):
            // JWS carries r||s (64 bytes), not DER (RFC 7518 3.4).
            guard let s = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(s, for: SHA256.hash(data: message))
        }
    }
}
